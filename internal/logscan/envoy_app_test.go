package logscan

import "testing"

// TestEnvoyAppLines: Envoy's own log lines, in its default format and in
// Istio's, are lines of the envoy format without a failure, whatever
// they say (an xDS stream's "no healthy upstream" is no request's).
func TestEnvoyAppLines(t *testing.T) {
	for _, tc := range []struct {
		line string
		want verdict
	}{
		{"[2019-12-04 01:59:42.489][000001][info][main] [source/server/server.cc:206] initializing epoch 0", lineOK},
		{"[2018-06-07 23:03:37.170][16][warning][upstream] external/envoy/source/common/config/grpc_mux_impl.cc:235] gRPC config stream closed: 14, no healthy upstream", lineOK},
		{"2023-10-12T08:08:15.270118Z\tdebug\tenvoy pool external/envoy/source/common/conn_pool/conn_pool_base.cc:265\t[C107599] using existing fully connected connection\tthread=25", lineOK},
		{"[2019-12-04 01:59:42.489][x][info][main] not envoy's", lineMalformed},
		{"2023-10-12T08:08:15.270118Z\tdebug\tcaddy\tsomething", lineMalformed},
	} {
		var e Entry
		if v := newParser(t, "envoy", tc.line).parse([]byte(tc.line), &e); v != tc.want || v == lineOK && e.Time.IsZero() {
			t.Errorf("%q: verdict %d (time %v), want %d", tc.line, v, e.Time, tc.want)
		}
	}
}
