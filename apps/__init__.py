"""ObRail domain apps."""
