package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

// TestConfigPartlyRead checks that a configuration with parts its parser
// skips is used, and that its input names those parts.
func TestConfigPartlyRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	body := "http {\n  include " + filepath.Join(dir, "missing.d", "*.conf") + ";\n  include " + filepath.Join(dir, "gone.conf") + ";\n" +
		"  server {\n    listen 80;\n    location / { proxy_pass http://127.0.0.1:9000; }\n  }\n}\n"
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &prepared{req: Request{Config: gwconfig.Sources{Nginx: conf}}}
	if cfg := p.loadConfig(context.Background()); cfg == nil || cfg.Nginx == nil {
		t.Fatalf("no nginx model; inputs %+v", p.inputs)
	}
	if len(p.inputs) != 1 {
		t.Fatalf("inputs = %+v, want one", p.inputs)
	}
	in := p.inputs[0]
	if in.Status != diagnose.InputUsed || len(in.NotRead) == 0 || !strings.Contains(strings.Join(in.NotRead, "\n"), "gone.conf") {
		t.Errorf("input = %+v, want used, naming gone.conf among the parts not read", in)
	}
}
