package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flowsift/extract/capture"
	"flowsift/extract/table"
)

// TestCarve extracts a capture named by a relative path, carves one flow
// from another working directory, and checks the carved packets are the
// flow's; then it changes the original and expects carve to refuse.
func TestCarve(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "realtools", "nmap-connect.pcap.gz"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "scan.pcap.gz"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	if code, _, errs := runCLI(t, "extract", "-q", "-o", "out", "scan.pcap.gz"); code != exitOK {
		t.Fatalf("extract: exit %d: %s", code, errs)
	}
	f, err := table.Open(filepath.Join("out", "flows.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	tb, err := f.Read("uid", "orig_pkts", "resp_pkts")
	if err != nil {
		t.Fatal(err)
	}
	best := 0
	for i := range tb.Rows {
		if tb.Column("orig_pkts").Ints[i]+tb.Column("resp_pkts").Ints[i] > tb.Column("orig_pkts").Ints[best]+tb.Column("resp_pkts").Ints[best] {
			best = i
		}
	}
	uid := tb.Column("uid").Strs[best]
	want := tb.Column("orig_pkts").Ints[best] + tb.Column("resp_pkts").Ints[best]

	t.Chdir(t.TempDir())
	carved := filepath.Join(work, "flow.pcap")
	code, out, errs := runCLI(t, "carve", filepath.Join(work, "out"), uid, "-w", carved)
	if code != exitOK {
		t.Fatalf("carve from another directory: exit %d: %s", code, errs)
	}
	st, err := capture.Open([]string{carved}, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, err := range st.Packets(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != want || !strings.HasPrefix(out, fmt.Sprintf("%d packets of 1 flows", want)) {
		t.Errorf("carved %d packets (%q), want the flow's %d", n, out, want)
	}

	code, _, errs = runCLI(t, "carve", filepath.Join(work, "out"), uid, "-w", carved)
	if code != exitUsage || !strings.Contains(errs, "already exists") {
		t.Errorf("carve onto an existing file: exit %d, stderr %q; want exit 2 and a refusal", code, errs)
	}

	// The same size, other bytes: only the SHA-256 tells.
	changed := bytes.Clone(src)
	changed[len(changed)-5] ^= 0xff
	if err := os.WriteFile(filepath.Join(work, "scan.pcap.gz"), changed, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(t, "carve", filepath.Join(work, "out"), uid, "-w", carved+".2")
	if code != exitFailure || !strings.Contains(errs, "changed since extraction") {
		t.Errorf("carve from a changed capture: exit %d, stderr %q; want exit 1 and the change named", code, errs)
	}
	if _, err := os.Stat(carved + ".2"); err == nil {
		t.Error("carve from a changed capture left an output file")
	}
}
