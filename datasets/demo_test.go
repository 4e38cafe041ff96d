package datasets

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDemoGolden regenerates the committed demo capture and truth and
// requires identical bytes. UPDATE_GOLDEN=1 rewrites them.
func TestDemoGolden(t *testing.T) {
	dir := filepath.Join("..", "testdata", "demo")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if _, err := WriteDemo(context.Background(), dir); err != nil {
			t.Fatalf("WriteDemo() error = %v", err)
		}
	}
	tmp := filepath.Join(t.TempDir(), "new")
	tr, err := WriteDemo(context.Background(), tmp)
	if err != nil {
		t.Fatalf("WriteDemo() error = %v", err)
	}
	for _, name := range []string{DemoCapture, DemoTruth} {
		got, err := os.ReadFile(filepath.Join(tmp, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("read golden %s: %v (create it with UPDATE_GOLDEN=1)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the committed file (%d vs %d bytes); regenerate with UPDATE_GOLDEN=1 go test ./datasets -run Golden",
				name, len(got), len(want))
		}
	}
	if fi, err := os.Stat(filepath.Join(tmp, DemoCapture)); err != nil || fi.Size() > 5<<20 {
		t.Errorf("demo capture is %d bytes, want at most 5 MiB (%v)", fi.Size(), err)
	}
	want := map[string]bool{}
	for _, n := range DemoConfig().Scenarios {
		want[n] = true
	}
	for _, ev := range tr.Events {
		if !want[ev.Type] || ev.Packets == 0 {
			t.Errorf("demo event %s: %d packets", ev.Type, ev.Packets)
		}
		delete(want, ev.Type)
	}
	if len(want) > 0 {
		t.Errorf("demo lacks events %v", want)
	}
}
