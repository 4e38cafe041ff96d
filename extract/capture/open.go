package capture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// maxZstdWindow is the largest zstd window accepted, the reference
// decoder's default limit (2^27, what "zstd --long" writes). The window is
// allocated when a frame starts, so a larger limit would let a file of a
// few bytes claim hundreds of megabytes.
const maxZstdWindow = 1 << 27

// recordReader yields the records of one capture file.
type recordReader interface {
	// next fills the timestamp, data, lengths, link type and interface of p.
	// It returns io.EOF at the end and a *FormatError when framing is lost.
	next(p *Packet) error
}

// openFile is one capture file being read.
type openFile struct {
	f     *os.File
	ra    *readAhead
	mem   []byte // the mapped file, when it is read from memory
	unmap func()
	hash  *memHash
	bs    *byteStream
	dec   io.Closer // decompressor, if any
	rr    recordReader
	stats *FileStats
}

// Sniff reports the capture format of a file from its first bytes:
// "pcap", "pcapng", or "" when it is neither; compressed is "gzip" or "zstd"
// when the capture is wrapped in that compression.
func Sniff(path string) (format, compressed string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	r, compressed, closer, err := decompress(br)
	if err != nil {
		// A file that starts like gzip or zstd but does not decode is not a capture.
		return "", compressed, nil
	}
	if closer != nil {
		defer closer.Close()
	}
	head, _ := bufio.NewReader(r).Peek(4)
	return captureFormat(head), compressed, nil
}

func captureFormat(head []byte) string {
	if len(head) < 4 {
		return ""
	}
	switch binary.LittleEndian.Uint32(head) {
	case magicMicro, magicNano, magicModified:
		return "pcap"
	case magicNG:
		return "pcapng"
	}
	switch binary.BigEndian.Uint32(head) {
	case magicMicro, magicNano, magicModified:
		return "pcap"
	}
	return ""
}

// decompress wraps r in a gzip or zstd reader when its magic bytes say so.
func decompress(br *bufio.Reader) (io.Reader, string, io.Closer, error) {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "gzip", nil, err
		}
		return zr, "gzip", zr, nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, "zstd", nil, err
		}
		return zr, "zstd", zstdCloser{zr}, nil
	}
	return br, "", nil, nil
}

type zstdCloser struct{ d *zstd.Decoder }

func (z zstdCloser) Close() error { z.d.Close(); return nil }

// open opens a capture for reading, hashing it when hash is set. A probe
// open (to read only the first record) skips the read-ahead goroutine and
// the hash.
func open(path string, stats *FileStats, probe, hash bool) (*openFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	stats.Path = path
	stats.Size = fi.Size()
	of := &openFile{f: f, stats: stats}
	var s *byteStream
	if !probe && !isCompressed(f) {
		if mem, unmap, ok := mapFile(f, fi.Size()); ok {
			of.mem, of.unmap = mem, unmap
			if hash {
				of.hash = newMemHash(mem)
			}
			s = newMemStream(mem)
		}
	}
	if s == nil {
		var src io.Reader = f
		if !probe {
			of.ra = newReadAhead(f, hash)
			src = of.ra
		}
		br := bufio.NewReaderSize(src, streamBufSize)
		r, compressed, closer, err := decompress(br)
		stats.Compression = compressed
		if err != nil {
			of.close()
			return nil, fmt.Errorf("%s: %s: %w", path, compressed, err)
		}
		of.dec = closer
		s = newByteStream(r)
	}
	of.bs = s
	head := s.peek(4)
	switch captureFormat(head) {
	case "pcap":
		of.rr, err = newPcapReader(s, stats, path)
	case "pcapng":
		of.rr, err = newPcapngReader(s, stats, path)
	default:
		err = fmt.Errorf("%s: %w", path, ErrNotCapture)
	}
	if err != nil {
		of.close()
		return nil, err
	}
	return of, nil
}

// rawRead returns how many bytes of the file have been read so far.
func (of *openFile) rawRead() int64 {
	switch {
	case of.mem != nil:
		return of.bs.progress.Load()
	case of.ra != nil:
		return of.ra.raw.Load()
	}
	return 0
}

// finish hashes the rest of the file and releases it.
func (of *openFile) finish() {
	switch {
	case of.hash != nil:
		of.stats.SHA256 = of.hash.wait()
	case of.ra != nil:
		of.stats.SHA256 = of.ra.SHA256()
	}
	of.close()
}

func (of *openFile) close() {
	if of.dec != nil {
		of.dec.Close()
	}
	if of.ra != nil {
		of.ra.Close()
	}
	if of.hash != nil {
		of.hash.wait() // the hashing goroutine reads the mapping
		of.hash = nil
	}
	if of.unmap != nil {
		of.unmap()
		of.unmap = nil
	}
	of.f.Close()
}

// isCompressed reports whether a file starts with gzip or zstd magic.
func isCompressed(f *os.File) bool {
	var head [4]byte
	n, _ := f.ReadAt(head[:], 0)
	return bytes.HasPrefix(head[:n], gzipMagic) || bytes.HasPrefix(head[:n], zstdMagic)
}

// firstTimestamp opens a capture and returns the timestamp of its first
// packet, ok=false when it has none.
func firstTimestamp(path string) (ts int64, ok bool, err error) {
	var st FileStats
	of, err := open(path, &st, true, false)
	if err != nil {
		return 0, false, err
	}
	defer of.close()
	var p Packet
	if err := of.rr.next(&p); err != nil {
		var fe *FormatError
		if errors.Is(err, io.EOF) || errors.As(err, &fe) {
			return 0, false, nil
		}
		return 0, false, err
	}
	return p.Timestamp, true, nil
}
