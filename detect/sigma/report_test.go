package sigma

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReportWriteText(t *testing.T) {
	rep := &Report{Rules: []RuleReport{
		{File: "a.yml", ID: "id-1", Title: "one", Kind: "rule", RecordType: HTTP, Status: Supported, Warnings: []string{"line 3: w"}},
		{File: "a.yml", ID: "id-2", Title: "two", Kind: "rule", Status: Skipped, Reason: "line 5, column 3: logsource {category: x}: no pcap-derived record type serves it"},
		{File: "b.yml", Title: "three", Kind: "rule", Status: Invalid, Reason: "line 9: missing title"},
		{File: "b.yml", ID: "id-4", Title: "four", Kind: "rule", Status: Skipped, Reason: "line 7, column 1: logsource {product: y}: no pcap-derived record type serves it"},
	}}
	var b bytes.Buffer
	if err := rep.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	want := `a.yml: 1 supported, 1 skipped, 0 invalid
  skipped    id-2: line 5, column 3: logsource {category: x}: no pcap-derived record type serves it
b.yml: 0 supported, 1 skipped, 1 invalid
  invalid    three: line 9: missing title
  skipped    id-4: line 7, column 1: logsource {product: y}: no pcap-derived record type serves it
total: 4 rules in 2 files: 1 supported, 2 skipped, 1 invalid
skipped by reason:
     2  logsource: no pcap-derived record type serves it
`
	if diff := cmp.Diff(b.String(), want); diff != "" {
		t.Errorf("WriteText() (-got, +want):\n%s", diff)
	}
	b.Reset()
	if err := rep.WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "  supported  rule/http   id-1 one\n    warning: line 3: w\n") {
		t.Errorf("verbose WriteText() lacks the supported rule and its warning:\n%s", b.String())
	}
	if err := rep.WriteText(failWriter{}, false); err == nil {
		t.Error("WriteText(failing writer) = nil, want the write error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteSQL(t *testing.T) {
	qs := []SQLQuery{{RuleID: "a", Query: "SELECT 1;\n"}, {RuleID: "b", Err: ErrNoSQL}, {RuleID: "c", Query: "SELECT 2;\n"}}
	var b bytes.Buffer
	failed, err := WriteSQL(&b, qs)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != "SELECT 1;\n\nSELECT 2;\n\n" || len(failed) != 1 || failed[0].RuleID != "b" {
		t.Errorf("WriteSQL() wrote %q, failed %v; want both queries and b failed", b.String(), failed)
	}
}
