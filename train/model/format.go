package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"flowsift/internal/atomicfile"
)

// File layout (all integers little-endian):
//
//	magic      8 bytes  89 'F' 'S' 'M' '\r' '\n' 1a '\n'
//	version    uint32   FormatVersion
//	flags      uint32   bit 0: classifier block present, bit 1: anomaly block present
//	metaLen    uint32
//	meta       metaLen bytes of JSON: the Model without its trees
//	[classifier block] [anomaly block]
//	crc        uint32   CRC-32C (Castagnoli) of every preceding byte
//
// A block is a forest:
//
//	features, width, trees, nodes, values, hasSizes   6 x uint32
//	roots      trees x uint32    index of each tree's root node
//	nodes      nodes x 12 bytes  feature uint16, flags uint16, threshold float32, next uint32
//	values     values x float32
//	sizes      nodes x uint32    only when hasSizes is 1
//
// Node indices are absolute within the block. The magic's first byte is not
// ASCII and its line endings catch text-mode transfers, as PNG's do; the
// checksum catches every other kind of damage before anything is parsed.
var magic = [8]byte{0x89, 'F', 'S', 'M', '\r', '\n', 0x1a, '\n'}

const (
	flagForest  = 1 << 0
	flagAnomaly = 1 << 1

	headerLen    = 8 + 4 + 4 + 4
	blockHdrLen  = 6 * 4
	nodeLen      = 12
	trailerLen   = 4
	maxMetaBytes = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Save writes m in the model file format. The same model always gives the
// same bytes: metadata is JSON of structs (fixed field order) and arrays are
// written in tree order.
func (m *Model) Save(w io.Writer) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

// MarshalBinary returns the bytes Save writes.
func (m *Model) MarshalBinary() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	meta := *m
	meta.FormatVersion = FormatVersion
	js, err := json.Marshal(&meta)
	if err != nil {
		return nil, fmt.Errorf("encode model metadata: %w", err)
	}
	var flags uint32
	size := headerLen + len(js) + trailerLen
	if m.Forest != nil {
		flags |= flagForest
		size += m.Forest.encodedLen()
	}
	if m.Anomaly != nil {
		flags |= flagAnomaly
		size += m.Anomaly.forest.encodedLen()
	}
	b := make([]byte, 0, size)
	b = append(b, magic[:]...)
	b = binary.LittleEndian.AppendUint32(b, FormatVersion)
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	if m.Forest != nil {
		b = m.Forest.appendBlock(b)
	}
	if m.Anomaly != nil {
		b = m.Anomaly.forest.appendBlock(b)
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return b, nil
}

// SaveFile writes m to path atomically: to a temporary file in the same
// directory, synced, then renamed over path, so a reader never sees half a
// model and an old model survives a failed write.
func (m *Model) SaveFile(path string) error {
	b, err := m.MarshalBinary()
	if err == nil {
		err = atomicfile.WriteFile(path, b)
	}
	if err != nil {
		return fmt.Errorf("save model %s: %w", path, err)
	}
	return nil
}

func (f *Forest) encodedLen() int {
	n := blockHdrLen + 4*len(f.roots) + nodeLen*len(f.nodes) + 4*len(f.values)
	if f.sizes != nil {
		n += 4 * len(f.sizes)
	}
	return n
}

func (f *Forest) appendBlock(b []byte) []byte {
	le := binary.LittleEndian
	hasSizes := uint32(0)
	if f.sizes != nil {
		hasSizes = 1
	}
	for _, v := range [...]uint32{uint32(f.features), uint32(f.width), uint32(len(f.roots)),
		uint32(len(f.nodes)), uint32(len(f.values)), hasSizes} {
		b = le.AppendUint32(b, v)
	}
	for _, r := range f.roots {
		b = le.AppendUint32(b, uint32(r))
	}
	for _, n := range f.nodes {
		b = le.AppendUint16(b, n.Feature)
		b = le.AppendUint16(b, uint16(n.Flags))
		b = le.AppendUint32(b, math.Float32bits(n.Threshold))
		b = le.AppendUint32(b, uint32(n.Next))
	}
	for _, v := range f.values {
		b = le.AppendUint32(b, math.Float32bits(v))
	}
	for _, s := range f.sizes {
		b = le.AppendUint32(b, uint32(s))
	}
	return b
}

// Load reads a model written by Save. Damaged input is rejected with an
// error wrapping ErrFormat, ErrVersion or ErrChecksum; nothing in the input
// can make Load or later inference panic or loop.
func Load(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return decode(b, true)
}

// LoadFile reads the model file at path.
func LoadFile(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	m, err := decode(b, true)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	return m, nil
}

// UnmarshalBinary decodes the bytes MarshalBinary returns into m.
func (m *Model) UnmarshalBinary(b []byte) error {
	d, err := decode(b, true)
	if err != nil {
		return err
	}
	*m = *d
	return nil
}

// decode parses a model file. verify=false skips the checksum so that fuzzing
// can reach the parser behind it.
func decode(b []byte, verify bool) (*Model, error) {
	if len(b) < len(magic) || !bytes.Equal(b[:len(magic)], magic[:]) {
		return nil, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	if len(b) < headerLen+trailerLen {
		return nil, fmt.Errorf("%w: truncated header (%d bytes)", ErrFormat, len(b))
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[8:]); v != FormatVersion {
		return nil, fmt.Errorf("%w: file has version %d, this build reads %d", ErrVersion, v, FormatVersion)
	}
	body := b[:len(b)-trailerLen]
	if verify {
		if want, got := le.Uint32(b[len(body):]), crc32.Checksum(body, castagnoli); want != got {
			return nil, fmt.Errorf("%w: stored %08x, computed %08x (file damaged or truncated)", ErrChecksum, want, got)
		}
	}
	flags := le.Uint32(b[12:])
	if flags&^(flagForest|flagAnomaly) != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#x", ErrFormat, flags)
	}
	metaLen := uint64(le.Uint32(b[16:]))
	rest := body[headerLen:]
	if metaLen > uint64(len(rest)) || metaLen > maxMetaBytes {
		return nil, fmt.Errorf("%w: metadata length %d exceeds file", ErrFormat, metaLen)
	}
	var m Model
	if err := json.Unmarshal(rest[:metaLen], &m); err != nil {
		return nil, fmt.Errorf("%w: metadata: %w", ErrFormat, err)
	}
	rest = rest[metaLen:]
	var err error
	if flags&flagForest != 0 {
		if m.Forest, rest, err = decodeBlock(rest); err != nil {
			return nil, fmt.Errorf("classifier block: %w", err)
		}
	}
	if (flags&flagAnomaly != 0) != (m.Anomaly != nil) {
		return nil, fmt.Errorf("%w: anomaly block flag disagrees with metadata", ErrFormat)
	}
	if m.Anomaly != nil {
		if m.Anomaly.forest, rest, err = decodeBlock(rest); err != nil {
			return nil, fmt.Errorf("anomaly block: %w", err)
		}
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the last block", ErrFormat, len(rest))
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	m.FormatVersion = FormatVersion
	return &m, nil
}

func decodeBlock(b []byte) (*Forest, []byte, error) {
	le := binary.LittleEndian
	if len(b) < blockHdrLen {
		return nil, nil, fmt.Errorf("%w: truncated block header", ErrFormat)
	}
	var h [6]uint64
	for i := range h {
		h[i] = uint64(le.Uint32(b[4*i:]))
	}
	b = b[blockHdrLen:]
	features, width, trees, nodes, values, hasSizes := h[0], h[1], h[2], h[3], h[4], h[5]
	if features == 0 || features > math.MaxUint16+1 || width == 0 || width > math.MaxUint16 ||
		trees == 0 || hasSizes > 1 || nodes > math.MaxInt32 || values > math.MaxInt32 {
		return nil, nil, fmt.Errorf("%w: block header %v", ErrFormat, h)
	}
	need := 4*trees + nodeLen*nodes + 4*values + 4*hasSizes*nodes
	if need > uint64(len(b)) {
		return nil, nil, fmt.Errorf("%w: block needs %d bytes, %d left", ErrFormat, need, len(b))
	}
	f := &Forest{
		features: int(features),
		width:    int(width),
		roots:    make([]int32, trees),
		nodes:    make([]Node, nodes),
		values:   make([]float32, values),
	}
	for i := range f.roots {
		r := le.Uint32(b[4*i:])
		if uint64(r) >= nodes {
			return nil, nil, fmt.Errorf("%w: tree %d root %d outside %d nodes", ErrFormat, i, r, nodes)
		}
		f.roots[i] = int32(r)
	}
	b = b[4*trees:]
	for i := range f.nodes {
		p := b[nodeLen*i : nodeLen*i+nodeLen]
		f.nodes[i] = Node{
			Feature:   le.Uint16(p),
			Flags:     NodeFlags(le.Uint16(p[2:])),
			Threshold: math.Float32frombits(le.Uint32(p[4:])),
			Next:      int32(le.Uint32(p[8:])),
		}
	}
	b = b[nodeLen*nodes:]
	for i := range f.values {
		v := math.Float32frombits(le.Uint32(b[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, nil, fmt.Errorf("%w: leaf value %d is %v", ErrFormat, i, v)
		}
		f.values[i] = v
	}
	b = b[4*values:]
	if hasSizes == 1 {
		f.sizes = make([]int32, nodes)
		for i := range f.sizes {
			f.sizes[i] = int32(le.Uint32(b[4*i:]))
		}
		b = b[4*nodes:]
	}
	if err := checkNodes(f.nodes, f.sizes, 0, len(f.values), f.features, f.width); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return f, b, nil
}
