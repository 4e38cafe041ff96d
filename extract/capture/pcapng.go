package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// pcapng block types (draft-ietf-opsawg-pcapng).
const (
	ngSectionHeader    = 0x0a0d0d0a
	ngInterfaceDesc    = 0x00000001
	ngObsoletePacket   = 0x00000002
	ngSimplePacket     = 0x00000003
	ngEnhancedPacket   = 0x00000006
	ngByteOrderMagic   = 0x1a2b3c4d
	ngOptEnd           = 0
	ngOptIfTsResol     = 9
	ngOptIfTsOffset    = 14
	ngMinBlockLen      = 12
	ngDefaultUnitsPerS = 1_000_000
)

type ngInterface struct {
	link     LinkType
	snapLen  uint32
	pow2     bool   // resolution is 2^-exp seconds instead of 10^-exp
	exp      uint8  // resolution exponent
	offsetNS int64  // if_tsoffset in nanoseconds
	mulNS    uint64 // nanoseconds per unit when the resolution is a power of ten >= 1ns
	divNS    uint64 // units per nanosecond when the resolution is finer than 1ns
}

// pcapngReader reads pcapng files with any number of sections and
// interfaces. Blocks it does not need are skipped by their length.
type pcapngReader struct {
	s      *byteStream
	stats  *FileStats
	path   string
	order  binary.ByteOrder
	ifaces []ngInterface
}

func newPcapngReader(s *byteStream, stats *FileStats, path string) (*pcapngReader, error) {
	stats.Format = "pcapng"
	r := &pcapngReader{s: s, stats: stats, path: path}
	// The first block must be a section header; read it eagerly so that a
	// damaged file is reported before any packet.
	if _, err := r.block(nil); err != nil && !errors.Is(err, errNoPacket) {
		if errors.Is(err, io.EOF) {
			return nil, &FormatError{Path: path, Kind: "truncated_file_header", Detail: "empty section"}
		}
		return nil, err
	}
	return r, nil
}

var errNoPacket = errors.New("block holds no packet")

func (r *pcapngReader) next(p *Packet) error {
	for {
		ok, err := r.block(p)
		if err != nil && !errors.Is(err, errNoPacket) {
			return err
		}
		if ok {
			return nil
		}
	}
}

// block reads one block. It returns true when the block was a packet and
// filled p. p may be nil while reading the first section header.
func (r *pcapngReader) block(p *Packet) (bool, error) {
	start := r.s.off
	h, err := r.s.take(8)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return false, io.EOF
		}
		return false, lostFraming(r.path, start, "truncated_block_header", err)
	}
	typ := binary.LittleEndian.Uint32(h) // the SHB type reads the same either way
	if typ == ngSectionHeader {
		return false, r.sectionHeader(start, h)
	}
	if r.order == nil {
		return false, &FormatError{Path: r.path, Offset: start, Kind: "missing_section_header"}
	}
	typ = r.order.Uint32(h)
	total := r.order.Uint32(h[4:])
	if total < ngMinBlockLen || total%4 != 0 || total > maxRecordLen {
		return false, &FormatError{Path: r.path, Offset: start, Kind: "bad_block_length", Detail: fmt.Sprintf("block type 0x%x, length %d", typ, total)}
	}
	body, err := r.s.take(int(total) - 8)
	if err != nil {
		return false, lostFraming(r.path, start, "truncated_block", err)
	}
	if trailer := r.order.Uint32(body[len(body)-4:]); trailer != total {
		return false, &FormatError{Path: r.path, Offset: start, Kind: "bad_block_trailer", Detail: fmt.Sprintf("length %d, trailer %d", total, trailer)}
	}
	body = body[:len(body)-4]
	switch typ {
	case ngInterfaceDesc:
		return false, r.interfaceDesc(start, body)
	case ngEnhancedPacket:
		return r.enhancedPacket(start, body, p)
	case ngSimplePacket:
		return r.simplePacket(start, body, p)
	case ngObsoletePacket:
		return r.obsoletePacket(start, body, p)
	}
	return false, errNoPacket
}

func (r *pcapngReader) sectionHeader(start int64, h []byte) error {
	// h is only valid until the next take: keep the length field.
	lenField := [4]byte(h[4:8])
	rest, err := r.s.take(4)
	if err != nil {
		return lostFraming(r.path, start, "truncated_block_header", err)
	}
	switch {
	case binary.LittleEndian.Uint32(rest) == ngByteOrderMagic:
		r.order = binary.LittleEndian
	case binary.BigEndian.Uint32(rest) == ngByteOrderMagic:
		r.order = binary.BigEndian
	default:
		return &FormatError{Path: r.path, Offset: start, Kind: "bad_byte_order_magic"}
	}
	total := r.order.Uint32(lenField[:])
	if total < 28 || total%4 != 0 || total > maxRecordLen {
		return &FormatError{Path: r.path, Offset: start, Kind: "bad_block_length", Detail: fmt.Sprintf("section header length %d", total)}
	}
	if err := r.s.skip(int(total) - 12); err != nil {
		return lostFraming(r.path, start, "truncated_block", err)
	}
	r.ifaces = r.ifaces[:0] // interface ids are per section
	return errNoPacket
}

func (r *pcapngReader) interfaceDesc(start int64, b []byte) error {
	if len(b) < 8 {
		return &FormatError{Path: r.path, Offset: start, Kind: "bad_block_length", Detail: "short interface description"}
	}
	ifc := ngInterface{
		link:    LinkType(r.order.Uint16(b)),
		snapLen: r.order.Uint32(b[4:]),
		exp:     6,
	}
	for opts := b[8:]; len(opts) >= 4; {
		code, n := r.order.Uint16(opts), int(r.order.Uint16(opts[2:]))
		if code == ngOptEnd || 4+n > len(opts) {
			break
		}
		v := opts[4 : 4+n]
		switch {
		case code == ngOptIfTsResol && n >= 1:
			ifc.pow2 = v[0]&0x80 != 0
			ifc.exp = v[0] & 0x7f
		case code == ngOptIfTsOffset && n >= 8:
			ifc.offsetNS = int64(r.order.Uint64(v)) * 1e9
		}
		opts = opts[4+(n+3)&^3:]
	}
	if !ifc.pow2 {
		switch {
		case ifc.exp <= 9:
			ifc.mulNS = pow10(9 - ifc.exp)
		case ifc.exp <= 19:
			ifc.divNS = pow10(ifc.exp - 9)
		default:
			ifc.divNS = 0 // resolutions this fine cannot be represented; timestamps read as 0
		}
	}
	r.ifaces = append(r.ifaces, ifc)
	r.stats.addLinkType(ifc.link)
	r.stats.SnapLen = max(r.stats.SnapLen, ifc.snapLen)
	return nil
}

func (r *pcapngReader) enhancedPacket(start int64, b []byte, p *Packet) (bool, error) {
	if len(b) < 20 {
		return r.badPacket(start, "bad_block_length", "short enhanced packet block")
	}
	id := r.order.Uint32(b)
	ts := uint64(r.order.Uint32(b[4:]))<<32 | uint64(r.order.Uint32(b[8:]))
	capLen, wireLen := r.order.Uint32(b[12:]), r.order.Uint32(b[16:])
	data := b[20:]
	if uint64(capLen) > uint64(len(data)) {
		return r.badPacket(start, "bad_block_length", fmt.Sprintf("captured length %d exceeds block", capLen))
	}
	return r.fill(start, p, int(id), ts, data[:capLen], wireLen)
}

func (r *pcapngReader) obsoletePacket(start int64, b []byte, p *Packet) (bool, error) {
	if len(b) < 20 {
		return r.badPacket(start, "bad_block_length", "short packet block")
	}
	id := r.order.Uint16(b)
	ts := uint64(r.order.Uint32(b[4:]))<<32 | uint64(r.order.Uint32(b[8:]))
	capLen, wireLen := r.order.Uint32(b[12:]), r.order.Uint32(b[16:])
	data := b[20:]
	if uint64(capLen) > uint64(len(data)) {
		return r.badPacket(start, "bad_block_length", fmt.Sprintf("captured length %d exceeds block", capLen))
	}
	return r.fill(start, p, int(id), ts, data[:capLen], wireLen)
}

func (r *pcapngReader) simplePacket(start int64, b []byte, p *Packet) (bool, error) {
	if len(b) < 4 || len(r.ifaces) == 0 {
		return r.badPacket(start, "bad_simple_packet", "")
	}
	wireLen := r.order.Uint32(b)
	data := b[4:]
	capLen := min(uint64(wireLen), uint64(len(data)))
	if snap := r.ifaces[0].snapLen; snap > 0 {
		capLen = min(capLen, uint64(snap))
	}
	// Simple packet blocks carry no timestamp.
	return r.fill(start, p, 0, 0, data[:capLen], wireLen)
}

// badPacket counts a packet block that cannot be read although its length
// and trailer agree: framing is intact, so only this block is lost.
func (r *pcapngReader) badPacket(start int64, kind, detail string) (bool, error) {
	r.stats.addError(kind, &FormatError{Path: r.path, Offset: start, Kind: kind, Detail: detail})
	return false, errNoPacket
}

func (r *pcapngReader) fill(start int64, p *Packet, id int, ts uint64, data []byte, wireLen uint32) (bool, error) {
	if id >= len(r.ifaces) {
		return r.badPacket(start, "unknown_interface", fmt.Sprintf("interface %d", id))
	}
	if p == nil {
		return false, errNoPacket
	}
	ifc := &r.ifaces[id]
	p.Timestamp = ifc.toNS(ts)
	p.Data = data
	p.WireLen = int(wireLen)
	p.LinkType = ifc.link
	p.Interface = id
	return true, nil
}

func (ifc *ngInterface) toNS(ts uint64) int64 {
	var ns uint64
	switch {
	case ifc.pow2:
		e := uint(ifc.exp)
		if e >= 64 {
			break
		}
		whole := ts >> e
		frac := ts & (1<<e - 1)
		hi, lo := bits.Mul64(frac, 1e9)
		ns = whole*1e9 + (hi<<(64-e) | lo>>e)
		if e == 0 {
			ns = ts * 1e9
		}
	case ifc.mulNS != 0:
		ns = ts * ifc.mulNS
	case ifc.divNS != 0:
		ns = ts / ifc.divNS
	}
	return int64(ns) + ifc.offsetNS
}

func pow10(n uint8) uint64 {
	v := uint64(1)
	for range n {
		v *= 10
	}
	return v
}
