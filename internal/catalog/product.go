package catalog

// Product is the slug of a product that can stand on a request path, such
// as "nginx" or "cloudflare" (generated_by.product in the JSON output).
type Product string

// Role is the part a product plays on a request path (generated_by.role).
type Role string

// The roles, from the edge inwards.
const (
	RoleCDN          Role = "cdn"
	RoleLoadBalancer Role = "load_balancer"
	RoleReverseProxy Role = "reverse_proxy"
	RoleAppServer    Role = "app_server"
	RoleApplication  Role = "application"
	RoleUnknown      Role = "unknown"
)

// The product slugs. Google's front end (GFE) is GCPLB, ingress-nginx is
// Nginx and Istio is Envoy. The two slugs that name no product are
// Application and UnknownProduct ("unknown", as the cause Unknown).
const (
	Cloudflare      Product = "cloudflare"
	CloudFront      Product = "cloudfront"
	ALB             Product = "aws_alb"
	APIGateway      Product = "aws_api_gateway"
	GCPLB           Product = "gcp_lb"
	AzureAppGateway Product = "azure_app_gateway"
	AzureFrontDoor  Product = "azure_front_door"
	Akamai          Product = "akamai"
	Fastly          Product = "fastly"
	Nginx           Product = "nginx"
	OpenResty       Product = "openresty"
	Apache          Product = "apache"
	HAProxy         Product = "haproxy"
	Envoy           Product = "envoy"
	Caddy           Product = "caddy"
	Traefik         Product = "traefik"
	Varnish         Product = "varnish"
	Squid           Product = "squid"
	Lighttpd        Product = "lighttpd"
	IIS             Product = "iis"
	Go              Product = "go"
	Heroku          Product = "heroku"
	PHPFPM          Product = "php_fpm"
	Tengine         Product = "tengine"
	Nghttpx         Product = "nghttpx"
	LiteSpeed       Product = "litespeed"
	Kong            Product = "kong"
	Vercel          Product = "vercel"
	Netlify         Product = "netlify"
	Fly             Product = "fly"
	Render          Product = "render"
	ELB             Product = "aws_elb"
	Lambda          Product = "aws_lambda"
	AppService      Product = "azure_app_service"
	Application     Product = "application"
	UnknownProduct  Product = "unknown"
)

// ProductInfo is what the catalog knows of a product.
type ProductInfo struct {
	Slug Product `json:"slug"`
	// Name is the name the product gives itself, as a sentence names it.
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// products lists every product in the order of the contract. The Heroku
// router is a load balancer: it spreads requests over dynos and it is the
// hop that answers with the H-code pages; so are the front ends of Fly.io,
// Render and App Service. AWS API Gateway and Kong are reverse proxies in
// front of Lambda or HTTP services. Vercel and Netlify serve from their own
// edge network, a CDN in front of the site's functions; a Lambda function's
// own error object comes from the runtime that ran it, an app server.
var products = []ProductInfo{
	{Cloudflare, "Cloudflare", RoleCDN},
	{CloudFront, "CloudFront", RoleCDN},
	{ALB, "AWS ALB", RoleLoadBalancer},
	{APIGateway, "AWS API Gateway", RoleReverseProxy},
	{GCPLB, "Google Cloud Load Balancer", RoleLoadBalancer},
	{AzureAppGateway, "Azure Application Gateway", RoleLoadBalancer},
	{AzureFrontDoor, "Azure Front Door", RoleCDN},
	{Akamai, "Akamai", RoleCDN},
	{Fastly, "Fastly", RoleCDN},
	{Nginx, "nginx", RoleReverseProxy},
	{OpenResty, "OpenResty", RoleReverseProxy},
	{Apache, "Apache", RoleReverseProxy},
	{HAProxy, "HAProxy", RoleLoadBalancer},
	{Envoy, "Envoy", RoleReverseProxy},
	{Caddy, "Caddy", RoleReverseProxy},
	{Traefik, "Traefik", RoleReverseProxy},
	{Varnish, "Varnish", RoleReverseProxy},
	{Squid, "Squid", RoleReverseProxy},
	{Lighttpd, "lighttpd", RoleReverseProxy},
	{IIS, "IIS", RoleReverseProxy},
	{Go, "Go httputil.ReverseProxy", RoleReverseProxy},
	{Heroku, "Heroku", RoleLoadBalancer},
	{PHPFPM, "PHP-FPM", RoleAppServer},
	{Tengine, "Tengine", RoleReverseProxy},
	{Nghttpx, "nghttpx", RoleReverseProxy},
	{LiteSpeed, "LiteSpeed", RoleReverseProxy},
	{Kong, "Kong", RoleReverseProxy},
	{Vercel, "Vercel", RoleCDN},
	{Netlify, "Netlify", RoleCDN},
	{Fly, "Fly.io", RoleLoadBalancer},
	{Render, "Render", RoleLoadBalancer},
	{ELB, "AWS ELB", RoleLoadBalancer},
	{Lambda, "AWS Lambda", RoleAppServer},
	{AppService, "Azure App Service", RoleLoadBalancer},
	{Application, "The application", RoleApplication},
	{UnknownProduct, "An unidentified server", RoleUnknown},
}

// Products returns every product, in the order of the contract. The slice
// is the caller's own.
func Products() []ProductInfo {
	return append([]ProductInfo(nil), products...)
}

// info returns the catalog's row for p.
func (p Product) info() (ProductInfo, bool) {
	for _, x := range products {
		if x.Slug == p {
			return x, true
		}
	}
	return ProductInfo{}, false
}

// Known reports whether p is a slug of the catalog.
func (p Product) Known() bool {
	_, ok := p.info()
	return ok
}

// Name is the name the product gives itself, for a sentence ("HAProxy",
// "PHP-FPM"); an empty slug is an unidentified server, and a slug the
// catalog lacks is its own name.
func (p Product) Name() string {
	if p == "" {
		p = UnknownProduct
	}
	if x, ok := p.info(); ok {
		return x.Name
	}
	return string(p)
}

// Role is the role p plays on a request path; RoleUnknown for a slug the
// catalog lacks.
func (p Product) Role() Role {
	if x, ok := p.info(); ok {
		return x.Role
	}
	return RoleUnknown
}

// Roles returns every role, from the edge inwards.
func Roles() []Role {
	return []Role{RoleCDN, RoleLoadBalancer, RoleReverseProxy, RoleAppServer, RoleApplication, RoleUnknown}
}

// Gateway reports whether a hop in role r produces gateway errors: a CDN,
// a load balancer, a reverse proxy or an app server.
func (r Role) Gateway() bool {
	switch r {
	case RoleCDN, RoleLoadBalancer, RoleReverseProxy, RoleAppServer:
		return true
	}
	return false
}
