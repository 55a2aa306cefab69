# Source: https://github.com/nigoroll/libvmod-dynamic/issues/4 (a tiny VCL of the report: "FetchError no backend connection" about 30% of the time)
vcl 4.0;
import dynamic;
backend default {
    .host = "10.0.0.1";
    .port = "80";
}
sub vcl_init {
    new dynamic_dir = dynamic.director(  port="80" );
}
sub vcl_recv {
    set req.backend_hint = dynamic_dir.backend();
}
sub vcl_backend_fetch {
    set bereq.backend = dynamic_dir.backend();
}
