package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// PcapWriter writes a classic pcap file with nanosecond timestamps, little
// endian, version 2.4.
//
// The packets go to a hidden file beside the destination
// (".NAME.<random>.partial") that appears under its final name only when
// [PcapWriter.Commit] succeeds, so no reader ever sees half a capture under
// the final name. A destination that exists is never replaced. If the
// process dies before Commit, the partial file stays: it is a valid pcap up
// to the last record flushed.
//
// A PcapWriter is not safe for concurrent use.
type PcapWriter struct {
	path, tmp string
	f         *os.File
	bw        *bufio.Writer
	snapLen   int
	rec       [pcapRecordLen]byte
	err       error // first write error; every later call returns it
}

// CreatePcap starts a pcap file at path for packets of the given link type,
// cut to snapLen bytes. It fails with [ErrOutputExists] when path exists.
func CreatePcap(path string, link LinkType, snapLen int) (*PcapWriter, error) {
	if snapLen <= 0 || snapLen > maxRecordLen {
		return nil, fmt.Errorf("create %s: snap length %d outside 1..%d", path, snapLen, maxRecordLen)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("create %s: %w", path, ErrOutputExists)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var f *os.File
	var tmp string
	for range 100 {
		tmp = filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64()&0xffffffff, 16)+".partial")
		var err error
		// 0644 and the umask, as tcpdump creates its files.
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		f = nil
	}
	if f == nil {
		return nil, fmt.Errorf("create %s: no free temporary name in %s", path, dir)
	}
	w := &PcapWriter{path: path, tmp: tmp, f: f, bw: bufio.NewWriterSize(f, 1<<20), snapLen: snapLen}
	var h [pcapHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], magicNano)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], uint32(snapLen))
	binary.LittleEndian.PutUint32(h[20:], uint32(link))
	// The header fits the empty buffer, so this cannot fail; write errors
	// surface at Flush or Commit.
	_, _ = w.bw.Write(h[:])
	return w, nil
}

// WritePacket appends one packet: ts is the capture time in nanoseconds
// since the Unix epoch and wireLen its length on the wire. Data beyond the
// snap length is cut off.
func (w *PcapWriter) WritePacket(ts int64, data []byte, wireLen int) error {
	if w.err != nil {
		return w.err
	}
	if w.f == nil {
		return fmt.Errorf("write %s: already committed", w.path)
	}
	if ts < 0 || ts/1e9 > math.MaxUint32 {
		return fmt.Errorf("write %s: timestamp %d ns outside the pcap range", w.path, ts)
	}
	if len(data) > w.snapLen {
		data = data[:w.snapLen]
	}
	wireLen = max(wireLen, len(data))
	binary.LittleEndian.PutUint32(w.rec[0:], uint32(ts/1e9))
	binary.LittleEndian.PutUint32(w.rec[4:], uint32(ts%1e9))
	binary.LittleEndian.PutUint32(w.rec[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(w.rec[12:], uint32(min(wireLen, math.MaxUint32)))
	if _, err := w.bw.Write(w.rec[:]); err != nil {
		w.err = fmt.Errorf("write %s: %w", w.tmp, err)
		return w.err
	}
	if _, err := w.bw.Write(data); err != nil {
		w.err = fmt.Errorf("write %s: %w", w.tmp, err)
		return w.err
	}
	return nil
}

// Flush hands buffered packets to the operating system, so that a crash
// loses at most what was written since.
func (w *PcapWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	if w.f == nil {
		return nil
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("write %s: %w", w.tmp, err)
	}
	return w.err
}

// Commit flushes, syncs and closes the file and gives it its final name.
// When that fails, including on an earlier write error, the partial file is
// kept and the error names it.
func (w *PcapWriter) Commit() error {
	if w.f == nil {
		return fmt.Errorf("commit %s: already committed", w.path)
	}
	err := w.Flush()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err != nil {
		return fmt.Errorf("commit %s: %w (capture kept as %s)", w.path, err, w.tmp)
	}
	if err := publish(w.tmp, w.path); err != nil {
		return fmt.Errorf("commit %s: %w (capture kept as %s)", w.path, err, w.tmp)
	}
	// The rename or link is durable only once the directory is synced.
	if d, err := os.Open(filepath.Dir(w.path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// publish gives tmp the name path without replacing an existing file. A
// hard link fails if path exists, atomically; filesystems without hard
// links get a check and a rename instead.
func publish(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil {
		// Both names now hold the capture; dropping the temporary one
		// loses nothing.
		_ = os.Remove(tmp)
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return ErrOutputExists
	}
	if _, serr := os.Lstat(path); serr == nil {
		return ErrOutputExists
	}
	return os.Rename(tmp, path)
}
