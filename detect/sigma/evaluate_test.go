package sigma

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	"flowsift/detect/alert"
)

// TestEvaluateDir runs the shipped pack over Parquet files written with the
// documented schema: alerts group per rule and source, cap their evidence
// and carry the rule's metadata.
func TestEvaluateDir(t *testing.T) {
	dir := t.TempDir()
	var https []map[string]any
	for i := range 30 {
		https = append(https, map[string]any{
			"uid": fmt.Sprintf("C%02d", i), "trans_depth": int64(1 + i%2), "capture_id": "cap7",
			"ts": fmt.Sprintf("2026-11-20T10:00:%02dZ", i), "orig_h": "10.0.0.5", "resp_h": fmt.Sprintf("198.51.100.%d", i%3), "resp_p": int64(80),
			"method": "GET", "host": "shop.example", "uri": "/item.php?id=1", "user_agent": "sqlmap/1.7.2#stable (https://sqlmap.org)", "status_code": int64(200),
		})
	}
	https = append(https, map[string]any{"uid": "Cok", "trans_depth": int64(1), "capture_id": "cap7", "ts": "2026-11-20T11:00:00Z",
		"orig_h": "10.0.0.6", "resp_h": "198.51.100.9", "resp_p": int64(80), "method": "GET", "uri": "/", "user_agent": "Mozilla/5.0"})
	writeParquet(t, filepath.Join(dir, "http.parquet"), HTTP, https)
	cfg := DefaultConfig()
	cfg.MaxEvidence = 5
	rs, rep, err := LoadConfig(cfg, filepath.Join(packDir, "http_scanner_user_agent.yml"))
	if err != nil || rep.Count(Supported) != 1 {
		t.Fatalf("load: %v %+v", err, rep)
	}
	as, err := rs.Evaluate(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	port := int32(80)
	want := []alert.Alert{{
		TsFirst: 1795168800e9, TsLast: 1795168829e9, Detector: "sigma", RuleID: "78299527-3252-44fa-b7f4-f69e738a26e9",
		Name: "Vulnerability Scanner User Agent", Severity: "medium", Confidence: 0.75,
		Mitre: []string{"T1595.002", "T1190"}, Tags: []string{"attack.reconnaissance", "attack.t1595.002", "attack.initial-access", "attack.t1190"},
		Src: []string{"10.0.0.5"}, Dst: []string{"198.51.100.0", "198.51.100.1", "198.51.100.2"}, DstPort: &port,
		Count: 30, CountUnit: "http requests", Evidence: []string{"http:C00:1", "http:C01:2", "http:C02:1", "http:C03:2", "http:C04:1"},
		EvidenceTotal: 30, CaptureID: "cap7",
	}}
	if diff := cmp.Diff(as, want, ignoreText()); diff != "" {
		t.Errorf("Evaluate() (-got, +want):\n%s", diff)
	}
	again, err := rs.Evaluate(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(again, as); diff != "" {
		t.Errorf("second Evaluate() differs (-got, +want):\n%s", diff)
	}
}

// TestEvaluateMissing checks that absent tables are skipped, that a table
// lacking a column reads it as null, and that cancellation stops the run.
func TestEvaluateMissing(t *testing.T) {
	dir := t.TempDir()
	rs := mustLoadRule(t, ruleHead+`logsource: {category: webserver}
detection:
  noua:
    cs-user-agent: null
    cs-method: GET
  condition: noua
`)
	as, err := rs.Evaluate(context.Background(), dir)
	if err != nil || len(as) != 0 {
		t.Fatalf("Evaluate(empty dir) = %d alerts, %v; want none and no error", len(as), err)
	}
	// A file from an older schema: no user_agent column at all.
	schema := parquet.NewSchema("http", parquet.Group{
		"uid": parquet.String(), "trans_depth": parquet.Int(32), "ts": parquet.Timestamp(parquet.Microsecond),
		"orig_h": parquet.String(), "method": parquet.String(),
	})
	writeRows(t, filepath.Join(dir, "http.parquet"), schema, []map[string]any{
		{"uid": "C1", "trans_depth": int32(1), "ts": mustTime(t, "2026-11-20T10:00:00Z"), "orig_h": "10.0.0.1", "method": "GET"},
	})
	as, err = rs.Evaluate(context.Background(), dir)
	if err != nil || len(as) != 1 || as[0].Count != 1 {
		t.Fatalf("Evaluate(old schema) = %+v, %v; want one alert (a missing column is null)", as, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rs.Evaluate(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate(cancelled) error = %v, want context.Canceled", err)
	}
}
