// Package atomicfile writes output files so that a reader never sees half
// of one: every table, manifest, model and capture flowsift writes goes to
// a temporary file in the destination's directory, is synced, and is
// renamed over the destination only when complete. A failed write leaves
// any earlier file at the destination untouched and no temporary behind.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write creates path with the bytes write produces. The file is readable
// by everyone (0644), as outputs are shared; os.CreateTemp alone would make
// it private.
func Write(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// WriteFile creates path holding b.
func WriteFile(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
