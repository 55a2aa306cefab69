package catalog

// A managed platform's front end (a PaaS router, a cloud load balancer or
// API gateway, a function runtime) runs on hosts that its customer cannot
// log in to: the steps that read a gateway's own log or try the upstream
// from the gateway's host do not apply there. Its customer has the
// platform's own log and state instead, and platformSteps say where.
var platformSteps = map[Product]Step{
	// Heroku Dev Center, "Error codes" and "Logging": the router's line for
	// each request carries code=H.. in the app's log.
	Heroku: {Text: "On Heroku, the router's line for this request in the app's log names the error code (code=H10 app crashed, H12 request timeout, H13 connection closed, H14 no web dynos, H20 boot timeout); read it beside the dynos' state.", lines: map[Target][]string{
		{}: {"heroku logs --tail --app APP | grep 'code=H'", "heroku ps --app APP"},
	}},
	// Render docs, "Troubleshooting your deploy"; the x-render-routing
	// header names the edge's routing decision.
	Render: {Text: "On Render, the service's Events page shows failed deploys, restarts and suspension, and its Logs the process's own words; the process must listen on 0.0.0.0 at $PORT, and a suspended service answers again only once it is resumed.", lines: map[Target][]string{
		{}: {"curl -sI https://HOST/ | grep -iE '^(HTTP|x-render-routing|rndr-id)'"},
	}},
	// Vercel docs, "Runtime logs" and "Errors": x-vercel-error names the code.
	Vercel: {Text: "On Vercel, the function's runtime logs show the invocation's error or timeout, and the x-vercel-error header names its code.", lines: map[Target][]string{
		{}: {"vercel logs HOST", "curl -sI https://HOST/ | grep -i '^x-vercel-error'"},
	}},
	// Netlify docs, "Function logs".
	Netlify: {Text: "On Netlify, the function's log (Logs, Functions) shows the error or the timeout of the invocation.", lines: map[Target][]string{
		{}: {"netlify logs:function FUNCTION_NAME"},
	}},
	// Fly.io docs, "Troubleshoot your deployment": the proxy reaches the
	// app's Machines on its internal_port.
	Fly: {Text: "On Fly.io, the app's logs and its Machines' state show whether a Machine crashed, stopped, or does not listen on the internal_port of fly.toml.", lines: map[Target][]string{
		{}: {"fly logs -a APP", "fly status -a APP"},
	}},
	// Microsoft Learn, "Troubleshoot HTTP 502 and 503 errors in App Service".
	AppService: {Text: "On App Service, the app's log stream and Diagnose and solve problems show why the app did not start or answer in time.", lines: map[Target][]string{
		{}: {"az webapp log tail --name APP --resource-group GROUP"},
	}},
	// AWS Lambda developer guide, "Monitoring": each function logs to
	// /aws/lambda/<name>.
	Lambda: {Text: "The function's own log in CloudWatch Logs shows the invocation's error, its duration and its timeout.", lines: map[Target][]string{
		{}: {"aws logs tail /aws/lambda/FUNCTION --since 15m"},
	}},
	// API Gateway developer guide, "CloudWatch logging for REST APIs".
	APIGateway: {Text: "On API Gateway, the stage's execution log in CloudWatch (turn it on for the stage) shows the integration's error for this request ID.", lines: map[Target][]string{
		{}: {"aws logs tail 'API-Gateway-Execution-Logs_API_ID/STAGE' --since 15m"},
	}},
	// Elastic Load Balancing user guides, "Access logs" (elb_status_code,
	// target_status_code, error_reason) and "Target health".
	ALB: {Text: "The load balancer's access log gives each request's target status and error reason (gwdoctor logs reads it), and the target group's health says which targets it routes to.", lines: map[Target][]string{
		{}: {"aws elbv2 describe-target-health --target-group-arn TARGET_GROUP_ARN"},
	}},
	ELB: {Text: "The load balancer's access log gives each request's back-end status (gwdoctor logs reads it), and the instances' health says which it routes to.", lines: map[Target][]string{
		{}: {"aws elb describe-instance-health --load-balancer-name NAME"},
	}},
	// Cloud Load Balancing docs, "Logging and monitoring": statusDetails
	// names the failure (failed_to_connect_to_backend, backend_timeout, ...).
	GCPLB: {Text: "Google's load balancer logs each request in Cloud Logging and names the failure in statusDetails (failed_to_connect_to_backend, backend_timeout, failed_to_pick_backend), and the backend service's health says which backends it routes to.", lines: map[Target][]string{
		{}: {`gcloud logging read 'resource.type="http_load_balancer" AND httpRequest.status>=500' --freshness=1h --limit=20`},
	}},
	// Application Gateway docs, "Troubleshoot bad gateway errors".
	AzureAppGateway: {Text: "Application Gateway's backend health shows which servers it considers down and why; its access log has the server's status per request.", lines: map[Target][]string{
		{}: {"az network application-gateway show-backend-health --name NAME --resource-group GROUP"},
	}},
}

// PlatformStep returns the step that says where a managed platform's
// customer reads its log and state, and whether p is such a platform.
func PlatformStep(p Product) (Step, bool) {
	s, ok := platformSteps[p]
	return s, ok
}

// OnGatewayHost reports whether the step is taken on the gateway's own host
// (its log, a try from there), which a managed platform's customer cannot do.
func (s Step) OnGatewayHost() bool { return s.gatewayHost }
