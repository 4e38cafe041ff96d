package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Classic pcap magic numbers as they appear in the first four bytes.
const (
	magicMicro       = 0xa1b2c3d4
	magicNano        = 0xa1b23c4d
	magicModified    = 0xa1b2cd34 // Alexey Kuznetzov's patched libpcap: 8 more bytes per record
	magicNG          = 0x0a0d0d0a
	maxRecordLen     = 16 << 20 // larger captured lengths mean lost framing
	pcapHeaderLen    = 24
	pcapRecordLen    = 16
	pcapModRecordLen = 24
)

// pcapReader reads classic libpcap files. It is as lenient as libpcap:
// archaic versions, snap lengths of 0 and captured lengths above the wire
// length are accepted and counted.
type pcapReader struct {
	s        *byteStream
	stats    *FileStats
	path     string
	order    binary.ByteOrder
	nano     bool
	swapLens bool // versions before 2.3 store the two lengths the other way round
	recLen   int
	link     LinkType
}

func newPcapReader(s *byteStream, stats *FileStats, path string) (*pcapReader, error) {
	h, err := s.take(pcapHeaderLen)
	if err != nil {
		return nil, &FormatError{Path: path, Offset: 0, Kind: "truncated_file_header", Detail: err.Error()}
	}
	r := &pcapReader{s: s, stats: stats, path: path, recLen: pcapRecordLen}
	switch {
	case binary.LittleEndian.Uint32(h) == magicMicro || binary.LittleEndian.Uint32(h) == magicNano || binary.LittleEndian.Uint32(h) == magicModified:
		r.order = binary.LittleEndian
	default:
		r.order = binary.BigEndian
	}
	magic := r.order.Uint32(h)
	switch magic {
	case magicMicro:
		stats.Format = "pcap"
	case magicNano:
		r.nano = true
		stats.Format = "pcap-nsec"
	case magicModified:
		r.recLen = pcapModRecordLen
		stats.Format = "pcap-modified"
	default:
		return nil, fmt.Errorf("%s: %w", path, ErrNotCapture)
	}
	major, minor := r.order.Uint16(h[4:]), r.order.Uint16(h[6:])
	if major < 2 {
		return nil, &FormatError{Path: path, Kind: "archaic_version", Detail: fmt.Sprintf("pcap version %d.%d", major, minor)}
	}
	// libpcap swaps the lengths for versions before 2.3 (and 543.0, from DG/UX).
	r.swapLens = (major == 2 && minor < 3) || major == 543
	stats.SnapLen = r.order.Uint32(h[16:])
	// The link type is the low 16 bits; bits 26-31 may carry the FCS length
	// and its "present" flag (libpcap's LT_LINKTYPE and LT_FCS_LENGTH).
	r.link = LinkType(r.order.Uint32(h[20:]) & 0xffff)
	stats.addLinkType(r.link)
	return r, nil
}

func (r *pcapReader) next(p *Packet) error {
	start := r.s.off
	h, err := r.s.take(r.recLen)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return r.lost(start, "truncated_record_header", err)
	}
	sec := int64(r.order.Uint32(h))
	frac := int64(r.order.Uint32(h[4:]))
	capLen := r.order.Uint32(h[8:])
	wireLen := r.order.Uint32(h[12:])
	if r.swapLens && capLen > wireLen {
		capLen, wireLen = wireLen, capLen
	}
	if capLen > maxRecordLen {
		return &FormatError{Path: r.path, Offset: start, Kind: "bad_record_length", Detail: fmt.Sprintf("captured length %d", capLen)}
	}
	data, err := r.s.take(int(capLen))
	if err != nil {
		return r.lost(start, "truncated_record", fmt.Errorf("record of %d bytes: %w", capLen, err))
	}
	if r.nano {
		p.Timestamp = sec*1e9 + frac
	} else {
		p.Timestamp = sec*1e9 + frac*1e3
	}
	p.Data = data
	p.WireLen = int(wireLen)
	p.LinkType = r.link
	p.Interface = 0
	return nil
}

func (r *pcapReader) lost(off int64, kind string, err error) error {
	return lostFraming(r.path, off, kind, err)
}

// lostFraming builds the error for a record that could not be read: a file
// ending inside it, or a read error from below (a damaged compressed stream).
func lostFraming(path string, off int64, kind string, err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &FormatError{Path: path, Offset: off, Kind: kind, Detail: "file ends inside the record"}
	case errors.Is(err, io.EOF):
		return &FormatError{Path: path, Offset: off, Kind: kind, Detail: "file ends inside the record"}
	default:
		var fe *FormatError
		if errors.As(err, &fe) {
			return err
		}
		return &FormatError{Path: path, Offset: off, Kind: "read_error", Detail: err.Error()}
	}
}
