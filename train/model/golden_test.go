package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGoldenHeader pins the file header and metadata of a small model, so a
// change to the format shows up as a reviewed diff (and a FormatVersion bump).
// UPDATE_GOLDEN=1 rewrites the golden file.
func TestGoldenHeader(t *testing.T) {
	b, err := handModel(t).MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary() error = %v", err)
	}
	le := binary.LittleEndian
	metaLen := le.Uint32(b[16:])
	var meta bytes.Buffer
	if err := json.Indent(&meta, b[headerLen:headerLen+metaLen], "", "  "); err != nil {
		t.Fatalf("metadata is not JSON: %v", err)
	}
	got := fmt.Sprintf("magic: % x\nversion: %d\nflags: %d\nbytes: %d\nmetadata:\n%s\n",
		b[:8], le.Uint32(b[8:]), le.Uint32(b[12:]), len(b), meta.Bytes())
	path := filepath.Join("testdata", "header.golden")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with UPDATE_GOLDEN=1 to create it): %v", err)
	}
	if diff := cmp.Diff(got, string(want)); diff != "" {
		t.Errorf("model header (-got, +want):\n%s", diff)
	}
}
