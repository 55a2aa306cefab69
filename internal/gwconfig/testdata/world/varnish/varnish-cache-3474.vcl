# Source: https://github.com/varnishcache/varnish-cache/issues/3474 (VCL of the report: sporadic 503 "Director pim_cluster returned no backend" while pim_b, a cold standby, is always sick; the reporter elided parts with dots)
probe pim {
        .url = "/ping";
        .timeout = 1s;
        .interval = 5s;
        .window = 5;
        .threshold = 3;
}

backend pim_a {
    .host = "1.2.3.4";
    .port = "12500";
    .probe = pim;
}

backend pim_b {
    .host = "1.2.3.5";
    .port = "12500";
    .probe = pim;
}

sub vcl_init() {
...
    new pim_cluster = directors.round_robin();
    pim_cluster.add_backend(pim_a);
    pim_cluster.add_backend(pim_b);
..
}

sub vcl_recv {
    if(req.url ~ "^/pim") {
        set req.backend_hint = pim_cluster.backend();
    }
}
sub vcl_backend_response {
  if(bereq.url ~ "^/pim") {
    // No caching configured
    set beresp.ttl = 0s;
  }
}
