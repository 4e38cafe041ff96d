package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesOnlyOnSuccess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := WriteFile(path, []byte("first")); err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		if _, err := w.Write([]byte("half")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write() error = %v, want %v", err, boom)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("after a failed write the file holds %q, want the earlier %q", b, "first")
	}
	if err := WriteFile(path, []byte("second")); err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "second" {
		t.Errorf("file holds %q, want %q", b, "second")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only out.json (no temporary left behind)", names)
	}
}

func TestWriteMissingDirectory(t *testing.T) {
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir", "f"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteFile() into a missing directory: error = %v, want os.ErrNotExist", err)
	}
}

func TestWriteNewKeepsExisting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "evidence.pcap")
	if err := WriteNew(path, func(w io.Writer) error { _, err := w.Write([]byte("first")); return err }); err != nil {
		t.Fatalf("WriteNew() error = %v", err)
	}
	err := WriteNew(path, func(w io.Writer) error { _, err := w.Write([]byte("second")); return err })
	if !errors.Is(err, os.ErrExist) {
		t.Errorf("WriteNew() over an existing file: error = %v, want os.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("file holds %q, want the first %q", b, "first")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1 (no temporary left behind)", len(entries))
	}
}

func TestCreateErrorNamesDestination(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "out.json")
	err := WriteFile(path, nil)
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".tmp-") {
		t.Errorf("WriteFile() error = %v, want one naming %s and not the temporary", err, path)
	}
}
