# Source: https://oreilly.com/library/view/getting-started-with/9781491972212/ch06.html (Getting Started with Varnish Cache, chapter 6 "Dealing with Backends": backend selection by URL)
vcl 4.0;

backend public {
  .host = "web001.example.com";
}

backend admin {
  .host = "web002.example.com";
}

sub vcl_recv {
    if(req.url ~ "^/admin(/.*)?") {
        set req.backend_hint = admin;
    } else {
        set req.backend_hint = public;
    }
}
