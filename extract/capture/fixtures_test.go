package capture

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Capture files are built byte by byte here, so that every field the
// readers look at is under the test's control.

var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

// pcapHeader is a classic pcap file header, version 2.4.
func pcapHeader(o binary.AppendByteOrder, magic uint32, snapLen, link uint32) []byte {
	return pcapHeaderVersion(o, magic, 2, 4, snapLen, link)
}

func pcapHeaderVersion(o binary.AppendByteOrder, magic uint32, major, minor uint16, snapLen, link uint32) []byte {
	b := o.AppendUint32(nil, magic)
	b = o.AppendUint16(b, major)
	b = o.AppendUint16(b, minor)
	b = o.AppendUint32(b, 0) // thiszone
	b = o.AppendUint32(b, 0) // sigfigs
	b = o.AppendUint32(b, snapLen)
	return o.AppendUint32(b, link)
}

// pcapRec is one classic pcap record; frac is micro- or nanoseconds as the
// magic says, and the captured length is len(data).
func pcapRec(o binary.AppendByteOrder, sec, frac uint32, data []byte, wireLen uint32) []byte {
	return append(pcapRecHeader(o, sec, frac, uint32(len(data)), wireLen), data...)
}

func pcapRecHeader(o binary.AppendByteOrder, sec, frac, capLen, wireLen uint32) []byte {
	b := o.AppendUint32(nil, sec)
	b = o.AppendUint32(b, frac)
	b = o.AppendUint32(b, capLen)
	return o.AppendUint32(b, wireLen)
}

// pcapModRec is a record of Kuznetzov's modified format: 8 more header
// bytes (ifindex, protocol, pkt_type, padding).
func pcapModRec(o binary.AppendByteOrder, sec, usec uint32, data []byte, wireLen uint32) []byte {
	b := pcapRecHeader(o, sec, usec, uint32(len(data)), wireLen)
	b = o.AppendUint32(b, 7)      // ifindex
	b = o.AppendUint16(b, 0x0800) // protocol
	b = append(b, 4, 0xee)        // pkt_type, pad
	return append(b, data...)
}

// ngBlock frames a pcapng block: type, total length, body padded to 32
// bits, total length again.
func ngBlock(o binary.AppendByteOrder, typ uint32, body []byte) []byte {
	padded := append(bytes.Clone(body), make([]byte, pad4(len(body))-len(body))...)
	total := uint32(12 + len(padded))
	b := o.AppendUint32(nil, typ)
	b = o.AppendUint32(b, total)
	b = append(b, padded...)
	return o.AppendUint32(b, total)
}

func pad4(n int) int { return (n + 3) &^ 3 }

// ngSHB is a section header block, version 1.0, unknown section length,
// with a shb_userappl option.
func ngSHB(o binary.AppendByteOrder) []byte {
	b := o.AppendUint32(nil, ngByteOrderMagic)
	b = o.AppendUint16(b, 1)
	b = o.AppendUint16(b, 0)
	b = o.AppendUint64(b, 0xffffffffffffffff)
	b = append(b, ngOpt(o, 4, []byte("flowsift test"))...)
	b = append(b, ngOpt(o, 0, nil)...)
	return ngBlock(o, ngSectionHeader, b)
}

// ngOpt is one option, value padded to 32 bits.
func ngOpt(o binary.AppendByteOrder, code uint16, v []byte) []byte {
	b := o.AppendUint16(nil, code)
	b = o.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	return append(b, make([]byte, pad4(len(v))-len(v))...)
}

// ngIDB is an interface description block with the given options; the
// end-of-options marker is added when there are any.
func ngIDB(o binary.AppendByteOrder, link uint16, snapLen uint32, opts ...[]byte) []byte {
	b := o.AppendUint16(nil, link)
	b = o.AppendUint16(b, 0)
	b = o.AppendUint32(b, snapLen)
	b = append(b, ngOpt(o, 2, []byte("eth0"))...) // if_name, skipped
	for _, opt := range opts {
		b = append(b, opt...)
	}
	b = append(b, ngOpt(o, 0, nil)...)
	return ngBlock(o, ngInterfaceDesc, b)
}

// tsResol is an if_tsresol option.
func tsResol(o binary.AppendByteOrder, v byte) []byte { return ngOpt(o, ngOptIfTsResol, []byte{v}) }

// tsOffset is an if_tsoffset option, in seconds.
func tsOffset(o binary.AppendByteOrder, sec int64) []byte {
	return ngOpt(o, ngOptIfTsOffset, o.AppendUint64(nil, uint64(sec)))
}

// ngEPB is an enhanced packet block; ts is in the interface's units. An
// epb_flags option follows the data so that the reader must stop at the
// captured length.
func ngEPB(o binary.AppendByteOrder, iface uint32, ts uint64, data []byte, wireLen uint32) []byte {
	b := o.AppendUint32(nil, iface)
	b = o.AppendUint32(b, uint32(ts>>32))
	b = o.AppendUint32(b, uint32(ts))
	b = o.AppendUint32(b, uint32(len(data)))
	b = o.AppendUint32(b, wireLen)
	b = append(b, data...)
	b = append(b, make([]byte, pad4(len(data))-len(data))...)
	b = append(b, ngOpt(o, 2, o.AppendUint32(nil, 1))...) // epb_flags: inbound
	b = append(b, ngOpt(o, 0, nil)...)
	return ngBlock(o, ngEnhancedPacket, b)
}

// ngPB is an obsolete packet block.
func ngPB(o binary.AppendByteOrder, iface uint16, ts uint64, data []byte, wireLen uint32) []byte {
	b := o.AppendUint16(nil, iface)
	b = o.AppendUint16(b, 0) // drops count
	b = o.AppendUint32(b, uint32(ts>>32))
	b = o.AppendUint32(b, uint32(ts))
	b = o.AppendUint32(b, uint32(len(data)))
	b = o.AppendUint32(b, wireLen)
	b = append(b, data...)
	return ngBlock(o, ngObsoletePacket, b)
}

// ngSPB is a simple packet block: the original length and the data.
func ngSPB(o binary.AppendByteOrder, wireLen uint32, data []byte) []byte {
	return ngBlock(o, ngSimplePacket, append(o.AppendUint32(nil, wireLen), data...))
}

// frame returns n recognisable bytes: seed, seed+1, ...
func frame(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstded(t testing.TB, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(b, nil)
}

// writeFile writes b to name in dir and returns the path.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
