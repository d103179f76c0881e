-- wrk script: POST /v1/decide with 64 rotating users and contexts (two placements each).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KAIROS_BENCH_KEY")

local bodies = {}
for i = 0, 63 do
  bodies[i] = string.format(
    '{"userId":"u%d","placements":["home_banner","product_page"],' ..
    '"context":{"device":{"type":"mobile","os":"%s"},"location":{"lat":52.5,"lon":13.4,"placeType":"%s"},' ..
    '"timezone":"Europe/Berlin","timestamp":"2026-11-23T%02d:30:00Z","page":"/product/%d"},' ..
    '"signals":{"intentScore":%.2f,"scrollDepth":0.7}}',
    i, (i % 2 == 0) and "ios" or "android", (i % 3 == 0) and "restaurant" or "home", i % 24, i, (i % 10) / 10)
end

local n = 0
request = function()
  n = (n + 1) % 64
  return wrk.format(nil, nil, nil, bodies[n])
end
