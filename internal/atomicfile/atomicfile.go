// Package atomicfile writes output files so that a reader never sees half
// of one: every table, manifest, model and capture flowsift writes goes to
// a temporary file in the destination's directory, is synced, and is
// renamed over the destination only when complete. A failed write leaves
// any earlier file at the destination untouched and no temporary behind.
package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write creates or replaces path with the bytes write produces. The file
// is readable by everyone (0644), as outputs are shared; os.CreateTemp
// alone would make it private.
func Write(path string, write func(io.Writer) error) error {
	return put(path, write, os.Rename)
}

// WriteNew is Write for a path that must not exist yet: if a file appears
// there meanwhile, it is kept and the error wraps fs.ErrExist. Evidence
// (a carved capture) is never written over.
func WriteNew(path string, write func(io.Writer) error) error {
	return put(path, write, func(tmp, path string) error {
		// A hard link, unlike a rename, fails when the target exists.
		if err := os.Link(tmp, path); err != nil {
			return err
		}
		return os.Remove(tmp)
	})
}

// WriteFile creates or replaces path holding b.
func WriteFile(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func put(path string, write func(io.Writer) error, place func(tmp, path string) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		// Name the file the user asked for, not the temporary.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &fs.PathError{Op: "create", Path: path, Err: pe.Err}
		}
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
		err = place(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
