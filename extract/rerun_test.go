package extract

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// TestRerunLeavesNoForeignTables: a run into a directory that holds an
// earlier run's tables leaves only its own, and a run on damaged input
// leaves none (its manifest says why).
func TestRerunLeavesNoForeignTables(t *testing.T) {
	out := t.TempDir()
	rt := filepath.Join("..", "testdata", "realtools")
	run := func(protocols bool, in string) (*Manifest, error) {
		cfg := DefaultConfig()
		cfg.Inputs, cfg.OutDir, cfg.Protocols = []string{in}, out, protocols
		return Run(context.Background(), cfg)
	}
	files := func() []string {
		es, _ := os.ReadDir(out)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	if _, err := run(true, filepath.Join(rt, "iodine-tunnel.pcap.gz")); err != nil {
		t.Fatal(err)
	}
	if _, err := run(false, filepath.Join(rt, "nmap-syn.pcap.gz")); err != nil {
		t.Fatal(err)
	}
	if got, want := files(), []string{ManifestName, FlowsFile}; !slices.Equal(got, want) {
		t.Errorf("after a --no-protocols rerun the directory holds %v, want %v", got, want)
	}

	// A pcap cut inside its first record.
	zr, err := os.Open(filepath.Join(rt, "nmap-syn.pcap.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	gz, err := gzip.NewReader(zr)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 40)
	if _, err := io.ReadFull(gz, head); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(damaged, head, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := run(true, damaged)
	if !errors.Is(err, ErrNoPackets) {
		t.Fatalf("damaged input: error %v, want ErrNoPackets", err)
	}
	if got, want := files(), []string{ManifestName}; !slices.Equal(got, want) || len(m.Tables) != 0 {
		t.Errorf("after damaged input the directory holds %v and the manifest lists tables %v; want only %v", got, m.Tables, want)
	}
}
