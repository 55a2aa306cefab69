package diagnose

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// unrecorded are the fields that the JSON form of Evidence leaves out on
// purpose, with why the judge does not miss them.
var unrecorded = map[string]string{
	"probe.Result.Err":     "the judge reads Error and Class, which say the same",
	"probe.DNSAnswer.Took": "the judge does not weigh how long another DNS server took",
}

// TestEvidenceJSONRoundTrip fills every field of Evidence, at any depth,
// and checks that the evidence read back from its JSON form is the same:
// a field added later that the JSON form loses fails here, unless it is
// listed in unrecorded.
func TestEvidenceJSONRoundTrip(t *testing.T) {
	var in Evidence
	skipped := map[string]bool{}
	fill(reflect.ValueOf(&in).Elem(), skipped, 0)
	for name := range unrecorded {
		if !skipped[name] {
			t.Errorf("unrecorded lists %s, which Evidence does not hold", name)
		}
	}
	for name := range skipped {
		if _, ok := unrecorded[name]; !ok {
			t.Errorf("%s could not be filled: give it a JSON form, or list it in unrecorded", name)
		}
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var got Evidence
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("reading the JSON form back: %v", err)
	}
	if !reflect.DeepEqual(got, in) {
		b2, _ := json.Marshal(got)
		t.Errorf("evidence read back differs:\nwrote %s\nread  %s", b, b2)
	}
}

// filled are the values fill gives to types whose zero value is not
// enough to tell whether they survive: durations with microseconds (JSON
// holds milliseconds with three decimals) and times in UTC.
var filled = map[reflect.Type]reflect.Value{
	reflect.TypeOf(time.Duration(0)): reflect.ValueOf(61*time.Second + 234567*time.Microsecond),
	reflect.TypeOf(time.Time{}):      reflect.ValueOf(time.Date(2025, 3, 1, 12, 30, 45, 123456789, time.UTC)),
}

// fill sets every exported field that v holds, at any depth, to a value
// other than its zero value; fields listed in unrecorded and values it
// cannot make (interfaces) are left zero and named in skipped.
func fill(v reflect.Value, skipped map[string]bool, depth int) {
	if depth > 40 {
		panic("fill: the types nest too deeply: " + v.Type().String())
	}
	if x, ok := filled[v.Type()]; ok {
		v.Set(x)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			name := v.Type().String() + "." + f.Name
			if !f.IsExported() {
				continue
			}
			if _, ok := unrecorded[name]; ok || f.Type.Kind() == reflect.Interface {
				skipped[name] = true
				continue
			}
			fill(v.Field(i), skipped, depth+1)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), skipped, depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), skipped, depth+1)
	case reflect.Map:
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, skipped, depth+1)
		fill(e, skipped, depth+1)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString("text")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	default:
		panic("fill: no value for " + v.Type().String())
	}
}

// TestOutsideStrips checks that the visitor's evidence keeps the responses
// and loses what only the gateway's host knows.
func TestOutsideStrips(t *testing.T) {
	var in Evidence
	fill(reflect.ValueOf(&in).Elem(), map[string]bool{}, 0)
	out := in.Outside()
	if out.Upstream != nil || out.UpstreamAddr != "" || out.UpstreamKeepAlive != nil || out.UpstreamFastCGI != nil ||
		out.Limits != nil || out.Logs != nil || out.HealthCheck != nil {
		t.Errorf("Outside kept what only the gateway's host knows: %+v", out)
	}
	if !reflect.DeepEqual(out.Tries, in.Tries) || !reflect.DeepEqual(out.Origin, in.Origin) || !reflect.DeepEqual(out.Variants, in.Variants) {
		t.Errorf("Outside lost the responses")
	}
}
