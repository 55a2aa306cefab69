package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/lab"
)

var recordEvidence = flag.Bool("record-evidence", false,
	"run every lab scenario behind every gateway, and every setup, and write the evidence of each diagnosis to "+evidenceDir)

// evidenceDir holds the recorded evidence that internal/diagnose's
// TestRecordedEvidence judges on a machine without the gateways.
const evidenceDir = "../../internal/diagnose/testdata/evidence"

// recordedCase is one file of evidenceDir: how to run the case again, what
// a correct diagnosis of it concludes, taken from the lab's tables (never
// from the verdict), and the evidence the diagnosis with the upstream's
// address gathered. internal/diagnose reads the same form.
type recordedCase struct {
	// Lab is the command that runs the case again.
	Lab         string            `json:"lab"`
	Description string            `json:"description"`
	Want        recordedWant      `json:"want"`
	Evidence    diagnose.Evidence `json:"evidence"`
}

// recordedWant is what a correct diagnosis concludes.
type recordedWant struct {
	// Cause and Persistence are the verdict with the upstream's address
	// known; Persistence "" when it depends on timing.
	Cause       catalog.Cause `json:"cause"`
	Persistence string        `json:"persistence,omitempty"`
	// Also is the other verdict that a correct diagnosis may reach, for a
	// case whose answer varies from one run to the next (lab.AlsoExpect).
	Also *recordedAlso `json:"also,omitempty"`
	// GeneratedBy is the product, and Role its role, that wrote the
	// failing response; "" where the lab does not say.
	GeneratedBy string `json:"generated_by,omitempty"`
	Role        string `json:"role,omitempty"`
	// AnyGeneratorAt200 says that a 200 which broke off on its way through
	// has no author to name: with status 200 GeneratedBy is not checked.
	AnyGeneratorAt200 bool `json:"any_generator_at_200,omitempty"`
	// Outside is the verdict from the responses alone (Evidence.Outside),
	// AlsoOutside the others it may be; "" where the lab does not say.
	Outside     catalog.Cause   `json:"outside,omitempty"`
	AlsoOutside []catalog.Cause `json:"also_outside,omitempty"`
}

// recordedAlso is another verdict a correct diagnosis may reach.
type recordedAlso struct {
	Cause       catalog.Cause `json:"cause"`
	Persistence string        `json:"persistence"`
}

// TestRecordEvidence runs every scenario behind every gateway and every
// setup once, as gwdoctor lab does, and writes each diagnosis's evidence
// with what the lab expects of it. It needs the gateway programs and runs
// only with -record-evidence:
//
//	go test ./cmd/gwdoctor -run TestRecordEvidence -record-evidence -timeout 60m
func TestRecordEvidence(t *testing.T) {
	if !*recordEvidence {
		t.Skip("records only with -record-evidence")
	}
	if err := os.MkdirAll(evidenceDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, gw := range lab.Gateways() {
		for _, sc := range lab.Scenarios() {
			if !lab.Supports(gw, sc.Fault) {
				continue
			}
			t.Run(gw+"-"+sc.Name, func(t *testing.T) {
				t.Parallel()
				res, err := runScenario(context.Background(), sc, gw)
				if err != nil {
					t.Fatal(err)
				}
				writeCase(t, gw+"-"+sc.Name, recordedCase{
					Lab:         "gwdoctor lab --gateway " + gw + " --scenario " + sc.Name,
					Description: sc.Description, Want: scenarioWant(gw, sc), Evidence: res.Evidence,
				})
			})
		}
	}
	for _, su := range lab.Setups() {
		t.Run("setup-"+su.Name, func(t *testing.T) {
			t.Parallel()
			res, err := runSetup(context.Background(), su)
			if err != nil {
				t.Fatal(err)
			}
			writeCase(t, "setup-"+su.Name, recordedCase{
				Lab:         "gwdoctor lab --setup " + su.Name,
				Description: su.Description, Want: setupWant(su), Evidence: res.Evidence,
			})
		})
	}
}

// TestRecordedEvidenceCoversLab checks that the recorded evidence is that
// of the lab as it is: a file for every scenario behind every gateway and
// for every setup, none for a case the lab no longer has, and in each the
// intent the lab's tables give now.
func TestRecordedEvidenceCoversLab(t *testing.T) {
	wants := map[string]recordedWant{}
	for _, gw := range lab.Gateways() {
		for _, sc := range lab.Scenarios() {
			if lab.Supports(gw, sc.Fault) {
				wants[gw+"-"+sc.Name] = scenarioWant(gw, sc)
			}
		}
	}
	for _, su := range lab.Setups() {
		wants["setup-"+su.Name] = setupWant(su)
	}
	files, err := filepath.Glob(filepath.Join(evidenceDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	const again = "go test ./cmd/gwdoctor -run 'TestRecordEvidence/^%s$' -record-evidence"
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		want, ok := wants[name]
		if !ok {
			t.Errorf("%s: the lab has no such case any more; remove the file", f)
			continue
		}
		delete(wants, name)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Want recordedWant `json:"want"`
		}
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		if !reflect.DeepEqual(c.Want, want) {
			t.Errorf("%s: the lab's intent is %+v, the file's %+v; record it again: "+again, f, want, c.Want, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(wants)) {
		t.Errorf("%s is not recorded: "+again, name, name)
	}
}

// scenarioWant is what the lab's tables expect of scenario sc behind
// gateway: TestGatewayMatrix's checks, as data.
func scenarioWant(gateway string, sc lab.Scenario) recordedWant {
	var w recordedWant
	w.Cause, w.Persistence = sc.Expect(gateway)
	if c, p, ok := lab.AlsoExpect(gateway, sc.Fault); ok {
		w.Also = &recordedAlso{Cause: c, Persistence: p}
	}
	if w.Cause != "ok" {
		w.GeneratedBy, w.Role = gateway, productRole[gateway]
		switch {
		case sc.Fault == lab.AppError:
			w.GeneratedBy, w.Role = "application", "application"
		case sc.Fault == lab.Invalid && gateway == "nginx":
			w.GeneratedBy, w.Role = "unknown", "unknown"
		}
		w.AnyGeneratorAt200 = sc.Fault == lab.Truncated
	}
	if gateway == "go" {
		// TestGatewayMatrix leaves the Go gateway out: the lab's tables say
		// nothing of its outside view.
		return w
	}
	w.Outside = expectOutside(gateway, sc)
	w.AlsoOutside = slices.Sorted(maps.Keys(alsoOutside[gateway][sc.Fault]))
	return w
}

// setupWant is what the lab's tables expect of setup su: TestLabSetups's
// checks, as data.
func setupWant(su lab.Setup) recordedWant {
	w := recordedWant{Cause: su.Want, Persistence: su.WantPersistence, Outside: su.WantOutside}
	if su.Want != "ok" {
		w.GeneratedBy = su.GeneratedBy
	}
	return w
}

// maxHeaderValue bounds each recorded header value: the judge reads short
// fields (Location, Retry-After) and the response head's size, which
// header_bytes keeps, while an upstream's oversized head would fill a file
// with kilobytes of cookies.
const maxHeaderValue = 200

// toMicroseconds rounds a duration to the microsecond, the precision of
// durations in JSON, and reports whether v is one.
func toMicroseconds(v reflect.Value) bool {
	if v.Type() != reflect.TypeOf(time.Duration(0)) {
		return false
	}
	v.SetInt(int64(time.Duration(v.Int()).Round(time.Microsecond)))
	return true
}

// cutHeader cuts each value of a header longer than maxHeaderValue, and
// reports whether v is a header.
func cutHeader(v reflect.Value) bool {
	h, ok := v.Interface().(http.Header)
	if !ok || h == nil {
		return ok
	}
	cut := make(http.Header, len(h))
	for name, values := range h {
		for _, s := range values {
			if len(s) > maxHeaderValue {
				s = strings.ToValidUTF8(s[:maxHeaderValue], "") + "…"
			}
			cut[name] = append(cut[name], s)
		}
	}
	v.Set(reflect.ValueOf(cut))
	return true
}

// rewrite applies f to every value that v holds, at any depth, until f
// reports that it took a value. It copies each pointer and slice on the
// way, so that v shares nothing that f changes with the value it came
// from.
func rewrite(v reflect.Value, f func(reflect.Value) bool) {
	if f(v) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			c := reflect.New(v.Type().Elem())
			c.Elem().Set(v.Elem())
			v.Set(c)
			rewrite(c.Elem(), f)
		}
	case reflect.Slice:
		if !v.IsNil() && v.Type().Elem().Kind() != reflect.Uint8 {
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(c, v)
			v.Set(c)
			for i := range c.Len() {
				rewrite(c.Index(i), f)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				rewrite(v.Field(i), f)
			}
		}
	}
}

// writeCase writes c to evidenceDir/name.json, after checking that the
// evidence read back from it is judged exactly as the evidence itself:
// the file holds everything the judge reads.
func writeCase(t *testing.T, name string, c recordedCase) {
	t.Helper()
	live := c.Evidence
	rewrite(reflect.ValueOf(&c.Evidence).Elem(), cutHeader)
	file := unescapeHTML(encode(t, c))
	var back recordedCase
	if err := json.Unmarshal(file, &back); err != nil {
		t.Fatalf("reading the recorded case back: %v", err)
	}
	v := diagnose.Judge(live)
	rewrite(reflect.ValueOf(&live).Elem(), toMicroseconds)
	if got, want := diagnose.Judge(back.Evidence), diagnose.Judge(live); !reflect.DeepEqual(got, want) {
		t.Errorf("the evidence read back is judged otherwise:\ngot  %+v\nwant %+v", got, want)
	}
	w := c.Want
	cause, persistence := v.Cause, string(v.Persistence)
	if cause != w.Cause || (w.Persistence != "" && persistence != w.Persistence) {
		if w.Also == nil || cause != w.Also.Cause || persistence != w.Also.Persistence {
			t.Logf("recorded, though the verdict is %s/%s and the lab wants %s/%s", cause, persistence, w.Cause, w.Persistence)
		}
	}
	if err := os.WriteFile(filepath.Join(evidenceDir, name+".json"), file, 0o644); err != nil {
		t.Fatal(err)
	}
}

// encode writes v as indented JSON.
func encode(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// unescapeHTML turns the escapes \u003c, \u003e and \u0026 that
// json.Marshal writes for <, > and & back into the characters, so that the
// error pages in a file read as they came; other escapes are kept.
func unescapeHTML(b []byte) []byte {
	chars := map[string]byte{`\u003c`: '<', `\u003e`: '>', `\u0026`: '&'}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] != '\\' || i+1 == len(b):
			out = append(out, b[i])
		case i+6 <= len(b) && chars[string(b[i:i+6])] != 0:
			out = append(out, chars[string(b[i:i+6])])
			i += 5
		default:
			out = append(out, b[i], b[i+1]) // another escape, kept whole
			i++
		}
	}
	return out
}
