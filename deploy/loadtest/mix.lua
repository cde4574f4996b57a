-- wrk script: a read mix of the public site (API lists and detail, indicators, pages, health),
-- one path per request in turn, and a latency/error summary (see sizing.sh).
local paths = {
  "/health",
  "/api/trajets?page_size=50",
  "/api/trajets?kind=night&ordering=-duration&page_size=20",
  "/api/stations?q=Par",
  "/api/operators",
  "/api/stats/volumes?group_by=operator",
  "/trajets/",
  "/indicateurs/",
  "/",
}
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Host"] = "localhost"})
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f errors=%d non2xx3xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    errors, summary.errors.status))
end
