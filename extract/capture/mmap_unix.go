//go:build unix

package capture

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps a whole file read-only. Records are then sliced straight
// out of the mapping: no read system calls and no copies.
func mapFile(f *os.File, size int64) ([]byte, func(), bool) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, false
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	_ = unix.Madvise(mem, unix.MADV_SEQUENTIAL)
	return mem, func() { _ = unix.Munmap(mem) }, true
}
