package capture

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// pkt is a packet as the tests compare it.
type pkt struct {
	TS     int64
	Wire   int
	Data   []byte
	Link   LinkType
	File   int
	Number int64
	Iface  int
}

// readResult is everything a read of a source tells.
type readResult struct {
	pkts  []pkt
	files []FileStats
	warns []error
	src   *Source
}

// readSource opens paths and reads every packet, copying each one.
func readSource(t testing.TB, paths []string, opts Options) readResult {
	t.Helper()
	var res readResult
	opts.Warn = func(err error) { res.warns = append(res.warns, err) }
	src, err := Open(paths, opts)
	if err != nil {
		t.Fatalf("Open(%q) error = %v", paths, err)
	}
	for p, err := range src.Packets(t.Context()) {
		if err != nil {
			t.Fatalf("Packets() error = %v", err)
		}
		res.pkts = append(res.pkts, pkt{
			TS: p.Timestamp, Wire: p.WireLen, Data: bytes.Clone(p.Data), Link: p.LinkType,
			File: p.File, Number: p.Number, Iface: p.Interface,
		})
	}
	res.files, res.src = src.Files(), src
	return res
}

// number fills in Number as a file read alone numbers its packets.
func number(ps ...pkt) []pkt {
	for i := range ps {
		ps[i].Number = int64(i + 1)
	}
	return ps
}

// wantStats completes the counters of a file's expected statistics from
// its expected packets.
func wantStats(st FileStats, ps []pkt) FileStats {
	for i, p := range ps {
		st.Packets++
		st.CapturedBytes += int64(len(p.Data))
		st.WireBytes += int64(p.Wire)
		if len(p.Data) < p.Wire {
			st.Truncated++
		}
		if i == 0 || p.TS < st.FirstTS {
			st.FirstTS = p.TS
		}
		if i == 0 || p.TS > st.LastTS {
			st.LastTS = p.TS
		}
		if i > 0 && p.TS < ps[i-1].TS {
			st.TimeBackwards++
		}
	}
	return st
}

// statsOpts compares statistics without the fields that depend on where
// and how the file was written.
var statsOpts = cmp.Options{
	cmpopts.IgnoreFields(FileStats{}, "Path", "Size", "SHA256", "Error"),
	cmpopts.EquateEmpty(),
}

const sec0 = 1_700_000_000 // a capture start, in seconds

// checkRead reads one capture file and compares packets, statistics and the
// warning, if any.
func checkRead(t *testing.T, file []byte, want []pkt, stats FileStats, warn string) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "capture", file)
	res := readSource(t, []string{path}, Options{})
	if diff := cmp.Diff(want, res.pkts, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("packets (-want, +got):\n%s", diff)
	}
	if len(res.files) != 1 {
		t.Fatalf("Files() has %d entries, want 1", len(res.files))
	}
	got := res.files[0]
	if diff := cmp.Diff(wantStats(stats, want), got, statsOpts); diff != "" {
		t.Errorf("Files()[0] (-want, +got):\n%s", diff)
	}
	if (len(got.Errors) == 0) != (got.Error == "") {
		t.Errorf("Files()[0] has Errors %v but Error %q", got.Errors, got.Error)
	}
	if read, total := res.src.Progress(); read != total || total != int64(len(file)) {
		t.Errorf("Progress() = %d, %d after reading; want %d, %d", read, total, len(file), len(file))
	}
	var kinds []string
	for _, err := range res.warns {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("Warn(%v): not a *FormatError", err)
			continue
		}
		if fe.Path != path {
			t.Errorf("Warn(%v): Path = %q, want %q", err, fe.Path, path)
		}
		kinds = append(kinds, fe.Kind)
	}
	var wantKinds []string
	if warn != "" {
		wantKinds = []string{warn}
	}
	if diff := cmp.Diff(wantKinds, kinds, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("warned kinds (-want, +got):\n%s", diff)
	}
}

// readCase is one capture file and what reading it must give.
type readCase struct {
	name  string
	file  []byte
	want  []pkt
	stats FileStats // counters are added from want
	warn  string    // kind of the *FormatError passed to Warn
}

// pcapCases are the classic pcap fixtures, also the seeds of FuzzReadPcap.
func pcapCases() []readCase {
	eth := uint32(LinkEthernet)
	// records writes the same three records in any byte order.
	records := func(o binary.AppendByteOrder, frac1, frac2 uint32) []byte {
		return cat(
			pcapRec(o, sec0, frac1, frame(1, 60), 60),
			pcapRec(o, sec0+1, frac2, frame(2, 42), 42),
			pcapRec(o, sec0+1, frac2, frame(3, 1), 1),
		)
	}
	three := func(link LinkType, ns1, ns2 int64) []pkt {
		return number(
			pkt{TS: sec0*1e9 + ns1, Wire: 60, Data: frame(1, 60), Link: link},
			pkt{TS: (sec0+1)*1e9 + ns2, Wire: 42, Data: frame(2, 42), Link: link},
			pkt{TS: (sec0+1)*1e9 + ns2, Wire: 1, Data: frame(3, 1), Link: link},
		)
	}
	return []readCase{
		{
			name:  "little-endian microseconds",
			file:  cat(pcapHeader(le, magicMicro, 65535, eth), records(le, 123456, 999999)),
			want:  three(LinkEthernet, 123456000, 999999000),
			stats: FileStats{Format: "pcap", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name:  "big-endian microseconds",
			file:  cat(pcapHeader(be, magicMicro, 65535, eth), records(be, 123456, 999999)),
			want:  three(LinkEthernet, 123456000, 999999000),
			stats: FileStats{Format: "pcap", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name:  "little-endian nanoseconds raw IP",
			file:  cat(pcapHeader(le, magicNano, 262144, uint32(LinkRaw)), records(le, 123456789, 999999999)),
			want:  three(LinkRaw, 123456789, 999999999),
			stats: FileStats{Format: "pcap-nsec", SnapLen: 262144, LinkTypes: []LinkType{LinkRaw}},
		},
		{
			name:  "big-endian nanoseconds Linux cooked v2",
			file:  cat(pcapHeader(be, magicNano, 262144, uint32(LinkLinuxSLL2)), records(be, 1, 2)),
			want:  three(LinkLinuxSLL2, 1, 2),
			stats: FileStats{Format: "pcap-nsec", SnapLen: 262144, LinkTypes: []LinkType{LinkLinuxSLL2}},
		},
		{
			name:  "unknown link type kept",
			file:  cat(pcapHeader(le, magicMicro, 65535, 147), records(le, 0, 0)),
			want:  three(147, 0, 0),
			stats: FileStats{Format: "pcap", SnapLen: 65535, LinkTypes: []LinkType{147}},
		},
		{
			// Wireshark stores the FCS length in the top bits of the link
			// type with the "FCS length present" bit (0x04000000):
			// libpcap's LT_FCS_DATALINK_EXT(4) | LINKTYPE_ETHERNET.
			name:  "FCS length in the link type field",
			file:  cat(pcapHeader(le, magicMicro, 65535, 4<<28|0x04000000|eth), records(le, 0, 0)),
			want:  three(LinkEthernet, 0, 0),
			stats: FileStats{Format: "pcap", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name: "snap length truncation",
			file: cat(pcapHeader(le, magicMicro, 64, eth),
				pcapRec(le, sec0, 0, frame(1, 64), 1514),
				pcapRec(le, sec0, 1, frame(2, 40), 40),
			),
			want: number(
				pkt{TS: sec0 * 1e9, Wire: 1514, Data: frame(1, 64), Link: LinkEthernet},
				pkt{TS: sec0*1e9 + 1000, Wire: 40, Data: frame(2, 40), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcap", SnapLen: 64, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name: "captured length above wire length",
			file: cat(pcapHeader(le, magicMicro, 64, eth), pcapRec(le, sec0, 0, frame(1, 10), 4)),
			// The wire length is raised to what was captured.
			want:  number(pkt{TS: sec0 * 1e9, Wire: 10, Data: frame(1, 10), Link: LinkEthernet}),
			stats: FileStats{Format: "pcap", SnapLen: 64, LinkTypes: []LinkType{LinkEthernet}, CapLenOverWire: 1},
		},
		{
			name: "empty record and time going backwards",
			file: cat(pcapHeader(le, magicMicro, 64, eth),
				pcapRec(le, sec0+5, 0, nil, 0),
				pcapRec(le, sec0, 0, frame(1, 2), 2),
			),
			want: number(
				pkt{TS: (sec0 + 5) * 1e9, Link: LinkEthernet},
				pkt{TS: sec0 * 1e9, Wire: 2, Data: frame(1, 2), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcap", SnapLen: 64, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name: "Kuznetzov modified format",
			file: cat(pcapHeader(le, magicModified, 65535, eth),
				pcapModRec(le, sec0, 5, frame(1, 20), 20),
				pcapModRec(le, sec0, 6, frame(2, 21), 30),
			),
			want: number(
				pkt{TS: sec0*1e9 + 5000, Wire: 20, Data: frame(1, 20), Link: LinkEthernet},
				pkt{TS: sec0*1e9 + 6000, Wire: 30, Data: frame(2, 21), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcap-modified", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name:  "Kuznetzov modified format big-endian",
			file:  cat(pcapHeader(be, magicModified, 65535, eth), pcapModRec(be, sec0, 5, frame(1, 20), 20)),
			want:  number(pkt{TS: sec0*1e9 + 5000, Wire: 20, Data: frame(1, 20), Link: LinkEthernet}),
			stats: FileStats{Format: "pcap-modified", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			// Before 2.3 the wire length came first.
			name: "version 2.2 swapped lengths",
			file: cat(pcapHeaderVersion(le, magicMicro, 2, 2, 20, eth),
				pcapRecHeader(le, sec0, 0, 60, 20), frame(1, 20),
				pcapRecHeader(le, sec0, 1, 7, 7), frame(2, 7),
			),
			want: number(
				pkt{TS: sec0 * 1e9, Wire: 60, Data: frame(1, 20), Link: LinkEthernet},
				pkt{TS: sec0*1e9 + 1000, Wire: 7, Data: frame(2, 7), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcap", SnapLen: 20, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name: "version 543.0 swapped lengths",
			file: cat(pcapHeaderVersion(be, magicMicro, 543, 0, 20, eth),
				pcapRecHeader(be, sec0, 0, 60, 20), frame(1, 20),
			),
			want:  number(pkt{TS: sec0 * 1e9, Wire: 60, Data: frame(1, 20), Link: LinkEthernet}),
			stats: FileStats{Format: "pcap", SnapLen: 20, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name:  "header only",
			file:  pcapHeader(le, magicNano, 65535, eth),
			stats: FileStats{Format: "pcap-nsec", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name:  "archaic version 1.0",
			file:  cat(pcapHeaderVersion(le, magicMicro, 1, 0, 65535, eth), records(le, 0, 0)),
			stats: FileStats{Format: "pcap", Errors: map[string]int64{"archaic_version": 1}},
			warn:  "archaic_version",
		},
		{
			name:  "ends inside the file header",
			file:  pcapHeader(le, magicMicro, 65535, eth)[:10],
			stats: FileStats{Errors: map[string]int64{"truncated_file_header": 1}},
			warn:  "truncated_file_header",
		},
		{
			name: "ends inside a record header",
			file: cat(pcapHeader(le, magicMicro, 65535, eth), records(le, 1, 2), pcapRecHeader(le, sec0+2, 0, 4, 4)[:7]),
			want: three(LinkEthernet, 1000, 2000),
			stats: FileStats{Format: "pcap", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet},
				Errors: map[string]int64{"truncated_record_header": 1}},
			warn: "truncated_record_header",
		},
		{
			name: "ends inside a record",
			file: cat(pcapHeader(be, magicMicro, 65535, eth), records(be, 1, 2), pcapRec(be, sec0+2, 0, frame(9, 100), 100)[:16+50]),
			want: three(LinkEthernet, 1000, 2000),
			stats: FileStats{Format: "pcap", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet},
				Errors: map[string]int64{"truncated_record": 1}},
			warn: "truncated_record",
		},
		{
			name: "huge captured length",
			file: cat(pcapHeader(le, magicMicro, 65535, eth),
				pcapRec(le, sec0, 0, frame(1, 8), 8),
				pcapRecHeader(le, sec0, 1, 0xfffffff0, 60), frame(2, 200),
			),
			want: number(pkt{TS: sec0 * 1e9, Wire: 8, Data: frame(1, 8), Link: LinkEthernet}),
			stats: FileStats{Format: "pcap", SnapLen: 65535, LinkTypes: []LinkType{LinkEthernet},
				Errors: map[string]int64{"bad_record_length": 1}},
			warn: "bad_record_length",
		},
	}
}

func TestReadPcap(t *testing.T) {
	for _, tt := range pcapCases() {
		t.Run(tt.name, func(t *testing.T) {
			checkRead(t, tt.file, tt.want, tt.stats, tt.warn)
		})
	}
}

// ngCase is a pcapng fixture built in either byte order.
type ngCase struct {
	name  string
	file  func(o binary.AppendByteOrder) []byte
	want  []pkt
	stats FileStats
	warn  string
}

// pcapngCases are the pcapng fixtures, also the seeds of FuzzReadPcapng.
func pcapngCases() []ngCase {
	eth, raw, sll := uint16(LinkEthernet), uint16(LinkRaw), uint16(LinkLinuxSLL)
	other := func(o binary.AppendByteOrder) binary.AppendByteOrder {
		if o == le {
			return be
		}
		return le
	}
	return []ngCase{
		{
			name: "one interface, default microseconds",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 0),
					ngEPB(o, 0, sec0*1e6+123456, frame(1, 60), 60),
					ngEPB(o, 0, sec0*1e6+123457, frame(2, 61), 61),
				)
			},
			want: number(
				pkt{TS: sec0*1e9 + 123456000, Wire: 60, Data: frame(1, 60), Link: LinkEthernet},
				pkt{TS: sec0*1e9 + 123457000, Wire: 61, Data: frame(2, 61), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name: "interfaces with their own link types and resolutions",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o),
					ngIDB(o, eth, 0),                                                // 0: microseconds
					ngIDB(o, raw, 0, tsResol(o, 9)),                                 // 1: nanoseconds
					ngIDB(o, sll, 0, tsResol(o, 0x80|10)),                           // 2: 1/1024 s
					ngIDB(o, uint16(LinkIPv4), 0, tsResol(o, 3), tsOffset(o, sec0)), // 3: ms after an offset
					ngIDB(o, uint16(LinkIPv6), 0, tsResol(o, 0x80)),                 // 4: whole seconds
					ngIDB(o, uint16(LinkNull), 0, tsResol(o, 10)),                   // 5: 100 ps
					ngIDB(o, uint16(LinkLoop), 0, tsResol(o, 0)),                    // 6: whole seconds, decimal
					ngEPB(o, 0, sec0*1e6+1, frame(1, 14), 14),
					ngEPB(o, 1, sec0*1e9+123456789, frame(2, 20), 20),
					ngEPB(o, 2, sec0<<10|513, frame(3, 21), 21),
					ngEPB(o, 3, 250, frame(4, 22), 22),
					ngEPB(o, 4, sec0+2, frame(5, 23), 23),
					ngEPB(o, 5, 17_000_000_001_234_567_891, frame(6, 24), 24),
					ngEPB(o, 6, sec0+3, frame(7, 4), 4),
				)
			},
			want: number(
				pkt{TS: sec0*1e9 + 1000, Wire: 14, Data: frame(1, 14), Link: LinkEthernet},
				pkt{TS: sec0*1e9 + 123456789, Wire: 20, Data: frame(2, 20), Link: LinkRaw, Iface: 1},
				pkt{TS: sec0*1e9 + 500976562, Wire: 21, Data: frame(3, 21), Link: LinkLinuxSLL, Iface: 2}, // 513/1024 s
				pkt{TS: sec0*1e9 + 250000000, Wire: 22, Data: frame(4, 22), Link: LinkIPv4, Iface: 3},
				pkt{TS: (sec0 + 2) * 1e9, Wire: 23, Data: frame(5, 23), Link: LinkIPv6, Iface: 4},
				pkt{TS: sec0*1e9 + 123456789, Wire: 24, Data: frame(6, 24), Link: LinkNull, Iface: 5},
				pkt{TS: (sec0 + 3) * 1e9, Wire: 4, Data: frame(7, 4), Link: LinkLoop, Iface: 6},
			),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet, LinkRaw, LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkNull, LinkLoop}},
		},
		{
			name: "timestamps before 1970",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 0, tsResol(o, 9), tsOffset(o, -10)),
					ngEPB(o, 0, 2, frame(1, 4), 4),
					ngEPB(o, 0, 1, frame(2, 4), 4),
				)
			},
			want: number(
				pkt{TS: -10e9 + 2, Wire: 4, Data: frame(1, 4), Link: LinkEthernet},
				pkt{TS: -10e9 + 1, Wire: 4, Data: frame(2, 4), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name: "snap length truncation",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 32), ngIDB(o, raw, 1500),
					ngEPB(o, 0, 1, frame(1, 32), 1514),
					ngEPB(o, 1, 2, frame(2, 3), 3),
				)
			},
			want: number(
				pkt{TS: 1000, Wire: 1514, Data: frame(1, 32), Link: LinkEthernet},
				pkt{TS: 2000, Wire: 3, Data: frame(2, 3), Link: LinkRaw, Iface: 1},
			),
			stats: FileStats{Format: "pcapng", SnapLen: 1500, LinkTypes: []LinkType{LinkEthernet, LinkRaw}},
		},
		{
			name: "simple packet blocks",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 64),
					ngSPB(o, 60, frame(1, 60)),
					ngSPB(o, 100, frame(2, 64)), // cut by the interface's snap length
					ngSPB(o, 3, frame(3, 3)),    // padding is not data
				)
			},
			// Simple packet blocks carry no timestamp.
			want: number(
				pkt{Wire: 60, Data: frame(1, 60), Link: LinkEthernet},
				pkt{Wire: 100, Data: frame(2, 64), Link: LinkEthernet},
				pkt{Wire: 3, Data: frame(3, 3), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcapng", SnapLen: 64, LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			name: "obsolete packet blocks",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngIDB(o, raw, 0, tsResol(o, 9)),
					ngPB(o, 1, 42, frame(1, 5), 9),
					ngPB(o, 0, 42, frame(2, 6), 6),
				)
			},
			want: number(
				pkt{TS: 42, Wire: 9, Data: frame(1, 5), Link: LinkRaw, Iface: 1},
				pkt{TS: 42000, Wire: 6, Data: frame(2, 6), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet, LinkRaw}},
		},
		{
			name: "other blocks skipped",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o),
					ngBlock(o, 0x00000004, frame(0, 20)), // name resolution
					ngIDB(o, eth, 0),
					ngBlock(o, 0x00000005, frame(0, 24)), // interface statistics
					ngEPB(o, 0, 1, frame(1, 10), 10),
					ngBlock(o, 0x0000000a, frame(0, 7)),  // decryption secrets
					ngBlock(o, 0x00000bad, frame(0, 16)), // custom
					ngBlock(o, 0x40000bad, nil),          // custom, not to be copied
					ngBlock(o, 0x12345678, nil),          // unknown
					ngEPB(o, 0, 2, frame(2, 10), 10),
				)
			},
			want: number(
				pkt{TS: 1000, Wire: 10, Data: frame(1, 10), Link: LinkEthernet},
				pkt{TS: 2000, Wire: 10, Data: frame(2, 10), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}},
		},
		{
			// Interface ids are per section; the second section is in the
			// other byte order.
			name: "second section resets interfaces",
			file: func(o binary.AppendByteOrder) []byte {
				o2 := other(o)
				return cat(
					ngSHB(o), ngIDB(o, eth, 0), ngIDB(o, raw, 0),
					ngEPB(o, 1, 1, frame(1, 4), 4),
					ngSHB(o2), ngIDB(o2, sll, 0, tsResol(o2, 9)),
					ngEPB(o2, 0, 2, frame(2, 4), 4),
					ngEPB(o2, 1, 3, frame(3, 4), 4), // interface 1 is gone
					ngEPB(o2, 0, 4, frame(4, 4), 4),
				)
			},
			want: number(
				pkt{TS: 1000, Wire: 4, Data: frame(1, 4), Link: LinkRaw, Iface: 1},
				pkt{TS: 2, Wire: 4, Data: frame(2, 4), Link: LinkLinuxSLL},
				pkt{TS: 4, Wire: 4, Data: frame(4, 4), Link: LinkLinuxSLL},
			),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet, LinkRaw, LinkLinuxSLL},
				Errors: map[string]int64{"unknown_interface": 1}},
		},
		{
			name:  "section header only",
			file:  func(o binary.AppendByteOrder) []byte { return ngSHB(o) },
			stats: FileStats{Format: "pcapng"},
		},
		{
			name: "packet before any interface",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngEPB(o, 0, 1, frame(1, 4), 4), ngIDB(o, eth, 0), ngEPB(o, 0, 2, frame(2, 4), 4))
			},
			want:  number(pkt{TS: 2000, Wire: 4, Data: frame(2, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"unknown_interface": 1}},
		},
		{
			// The block's framing is intact, so only the block is lost.
			name: "simple packet before any interface",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngSPB(o, 4, frame(1, 4)), ngIDB(o, eth, 0), ngSPB(o, 4, frame(2, 4)))
			},
			want:  number(pkt{Wire: 4, Data: frame(2, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"bad_simple_packet": 1}},
		},
		{
			name: "captured length beyond its block",
			file: func(o binary.AppendByteOrder) []byte {
				bad := ngEPB(o, 0, 2, frame(2, 8), 8)
				o.(binary.ByteOrder).PutUint32(bad[8+12:], 400) // captured length
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngEPB(o, 0, 1, frame(1, 4), 4), bad, ngEPB(o, 0, 3, frame(3, 4), 4))
			},
			want: number(
				pkt{TS: 1000, Wire: 4, Data: frame(1, 4), Link: LinkEthernet},
				pkt{TS: 3000, Wire: 4, Data: frame(3, 4), Link: LinkEthernet},
			),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"bad_block_length": 1}},
		},
		{
			name: "enhanced packet block too short",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngBlock(o, ngEnhancedPacket, make([]byte, 12)), ngEPB(o, 0, 3, frame(3, 4), 4))
			},
			want:  number(pkt{TS: 3000, Wire: 4, Data: frame(3, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"bad_block_length": 1}},
		},
		{
			name: "ends inside a block",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngEPB(o, 0, 1, frame(1, 4), 4), ngEPB(o, 0, 2, frame(2, 40), 40)[:30])
			},
			want:  number(pkt{TS: 1000, Wire: 4, Data: frame(1, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"truncated_block": 1}},
			warn:  "truncated_block",
		},
		{
			name: "ends inside a block header",
			file: func(o binary.AppendByteOrder) []byte {
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngEPB(o, 0, 1, frame(1, 4), 4), ngEPB(o, 0, 2, frame(2, 40), 40)[:5])
			},
			want:  number(pkt{TS: 1000, Wire: 4, Data: frame(1, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"truncated_block_header": 1}},
			warn:  "truncated_block_header",
		},
		{
			name:  "ends inside the section header",
			file:  func(o binary.AppendByteOrder) []byte { return ngSHB(o)[:20] },
			stats: FileStats{Format: "pcapng", Errors: map[string]int64{"truncated_block": 1}},
			warn:  "truncated_block",
		},
		{
			name: "trailer disagrees",
			file: func(o binary.AppendByteOrder) []byte {
				bad := ngEPB(o, 0, 2, frame(2, 4), 4)
				o.(binary.ByteOrder).PutUint32(bad[len(bad)-4:], 8)
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngEPB(o, 0, 1, frame(1, 4), 4), bad, ngEPB(o, 0, 3, frame(3, 4), 4))
			},
			want:  number(pkt{TS: 1000, Wire: 4, Data: frame(1, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"bad_block_trailer": 1}},
			warn:  "bad_block_trailer",
		},
		{
			name: "huge block length",
			file: func(o binary.AppendByteOrder) []byte {
				bad := ngEPB(o, 0, 2, frame(2, 4), 4)
				o.(binary.ByteOrder).PutUint32(bad[4:], 0xfffffff0)
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngEPB(o, 0, 1, frame(1, 4), 4), bad)
			},
			want:  number(pkt{TS: 1000, Wire: 4, Data: frame(1, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"bad_block_length": 1}},
			warn:  "bad_block_length",
		},
		{
			name: "block length not a multiple of 4",
			file: func(o binary.AppendByteOrder) []byte {
				bad := ngEPB(o, 0, 2, frame(2, 4), 4)
				o.(binary.ByteOrder).PutUint32(bad[4:], 13)
				return cat(ngSHB(o), ngIDB(o, eth, 0), bad)
			},
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"bad_block_length": 1}},
			warn:  "bad_block_length",
		},
		{
			name: "second section with a bad byte-order magic",
			file: func(o binary.AppendByteOrder) []byte {
				bad := ngSHB(o)
				copy(bad[8:], "XXXX")
				return cat(ngSHB(o), ngIDB(o, eth, 0), ngEPB(o, 0, 1, frame(1, 4), 4), bad, ngIDB(o, eth, 0), ngEPB(o, 0, 2, frame(2, 4), 4))
			},
			want:  number(pkt{TS: 1000, Wire: 4, Data: frame(1, 4), Link: LinkEthernet}),
			stats: FileStats{Format: "pcapng", LinkTypes: []LinkType{LinkEthernet}, Errors: map[string]int64{"bad_byte_order_magic": 1}},
			warn:  "bad_byte_order_magic",
		},
	}
}

func TestReadPcapng(t *testing.T) {
	for _, tt := range pcapngCases() {
		for _, o := range []binary.AppendByteOrder{le, be} {
			t.Run(tt.name+"/"+o.String(), func(t *testing.T) {
				checkRead(t, tt.file(o), tt.want, tt.stats, tt.warn)
			})
		}
	}
}

// TestReadCompressed reads the same captures plain, gzip- and
// zstd-compressed. The large capture has a record longer than the stream
// buffer and spans several read-ahead chunks.
func TestReadCompressed(t *testing.T) {
	big := make([]byte, 3*streamBufSize/2)
	for i := range big {
		big[i] = byte(i * 7)
	}
	captures := []struct {
		name   string
		file   []byte
		format string
		want   []pkt
	}{
		{
			name:   "pcap",
			file:   cat(pcapHeader(le, magicNano, 65535, uint32(LinkEthernet)), pcapRec(le, sec0, 1, frame(1, 60), 60), pcapRec(le, sec0, 2, frame(2, 70), 80)),
			format: "pcap-nsec",
			want: number(
				pkt{TS: sec0*1e9 + 1, Wire: 60, Data: frame(1, 60), Link: LinkEthernet},
				pkt{TS: sec0*1e9 + 2, Wire: 80, Data: frame(2, 70), Link: LinkEthernet},
			),
		},
		{
			name: "pcapng",
			file: cat(ngSHB(be), ngIDB(be, uint16(LinkRaw), 0), ngEPB(be, 0, 5, frame(1, 20), 20),
				ngSHB(le), ngIDB(le, uint16(LinkEthernet), 0), ngEPB(le, 0, 6, frame(2, 30), 30)),
			format: "pcapng",
			want: number(
				pkt{TS: 5000, Wire: 20, Data: frame(1, 20), Link: LinkRaw},
				pkt{TS: 6000, Wire: 30, Data: frame(2, 30), Link: LinkEthernet},
			),
		},
		{
			name: "large record",
			file: cat(pcapHeader(be, magicMicro, 0, uint32(LinkRaw)),
				pcapRec(be, sec0, 0, frame(1, 100), 100),
				pcapRec(be, sec0, 1, big, uint32(len(big))),
				pcapRec(be, sec0, 2, frame(2, 100), 100),
				pcapRec(be, sec0, 3, big, uint32(len(big))),
			),
			format: "pcap",
			want: number(
				pkt{TS: sec0 * 1e9, Wire: 100, Data: frame(1, 100), Link: LinkRaw},
				pkt{TS: sec0*1e9 + 1000, Wire: len(big), Data: big, Link: LinkRaw},
				pkt{TS: sec0*1e9 + 2000, Wire: 100, Data: frame(2, 100), Link: LinkRaw},
				pkt{TS: sec0*1e9 + 3000, Wire: len(big), Data: big, Link: LinkRaw},
			),
		},
	}
	for _, c := range captures {
		for _, enc := range []struct {
			name, compression string
			encode            func(testing.TB, []byte) []byte
		}{
			{"plain", "", func(_ testing.TB, b []byte) []byte { return b }},
			{"gzip", "gzip", gzipped},
			{"zstd", "zstd", zstded},
		} {
			t.Run(c.name+"/"+enc.name, func(t *testing.T) {
				file := enc.encode(t, c.file)
				path := writeFile(t, t.TempDir(), "capture.bin", file)
				res := readSource(t, []string{path}, Options{})
				// bytes.Equal: cmp compares a large []byte element by element.
				if diff := cmp.Diff(c.want, res.pkts, cmp.Comparer(bytes.Equal)); diff != "" {
					t.Errorf("packets (-want, +got):\n%s", diff)
				}
				st := res.files[0]
				sum := sha256.Sum256(file)
				want := FileStats{Path: path, Size: int64(len(file)), SHA256: hex.EncodeToString(sum[:]), Format: c.format, Compression: enc.compression}
				got := FileStats{Path: st.Path, Size: st.Size, SHA256: st.SHA256, Format: st.Format, Compression: st.Compression}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Files()[0] (-want, +got):\n%s", diff)
				}
				if len(res.warns) > 0 || st.Errors != nil {
					t.Errorf("read warned %v, errors %v; want none", res.warns, st.Errors)
				}
				if read, total := res.src.Progress(); read != total || total != int64(len(file)) {
					t.Errorf("Progress() = %d, %d; want %d, %d", read, total, len(file), len(file))
				}
			})
		}
	}
}

// TestReadDamagedCompressed cuts compressed captures short: the packets
// before the cut are read, the loss is counted, and the file still hashes.
func TestReadDamagedCompressed(t *testing.T) {
	// About 1 MB, so that the zstd frame has several blocks: a frame cut
	// inside its only block decodes to nothing and is not a capture at all.
	const n = 4000
	var recs [][]byte
	for i := range n {
		recs = append(recs, pcapRec(le, sec0, uint32(i), frame(byte(i), 200+i%50), 300))
	}
	file := cat(pcapHeader(le, magicMicro, 65535, uint32(LinkEthernet)), cat(recs...))
	for _, enc := range []struct {
		name   string
		encode func(testing.TB, []byte) []byte
	}{{"gzip", gzipped}, {"zstd", zstded}} {
		t.Run(enc.name, func(t *testing.T) {
			z := enc.encode(t, file)
			cut := z[:len(z)/2]
			path := writeFile(t, t.TempDir(), "cut", cut)
			res := readSource(t, []string{path}, Options{})
			st := res.files[0]
			if got := len(res.pkts); got == 0 || got >= n {
				t.Errorf("read %d packets from half a compressed file, want some but fewer than %d", got, n)
			}
			for i, p := range res.pkts {
				if want := frame(byte(i), 200+i%50); !bytes.Equal(p.Data, want) || p.Number != int64(i+1) {
					t.Fatalf("packet %d = %d bytes, number %d; want %d bytes, number %d", i, len(p.Data), p.Number, len(want), i+1)
				}
			}
			var n int64
			for _, c := range st.Errors {
				n += c
			}
			if n != 1 || len(res.warns) != 1 {
				t.Errorf("Errors = %v, %d warnings; want one error", st.Errors, len(res.warns))
			}
			sum := sha256.Sum256(cut)
			if st.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 = %s, want the hash of the whole file", st.SHA256)
			}
		})
	}
}

// TestOpenFiles reads several files, given in any order and through a
// directory, as one stream ordered by first timestamp.
func TestOpenFiles(t *testing.T) {
	dir := t.TempDir()
	eth := uint32(LinkEthernet)
	late := writeFile(t, dir, "a-late.pcap", cat(pcapHeader(le, magicMicro, 0, eth),
		pcapRec(le, sec0+100, 0, frame(1, 4), 4),
		pcapRec(le, sec0+101, 0, frame(2, 4), 4),
	))
	early := writeFile(t, dir, "b-early.pcapng.gz", gzipped(t, cat(ngSHB(be), ngIDB(be, uint16(LinkRaw), 0, tsResol(be, 0x80)),
		ngEPB(be, 0, sec0+50, frame(3, 5), 5), // later packets of this file overlap the next one
		ngEPB(be, 0, sec0+150, frame(4, 5), 5),
	)))
	empty := writeFile(t, dir, "c-empty.pcap", pcapHeader(be, magicNano, 0, eth))
	middle := writeFile(t, dir, "d-middle.pcap.zst", zstded(t, cat(pcapHeader(be, magicNano, 0, eth),
		pcapRec(be, sec0+60, 7, frame(5, 6), 6),
	)))
	tie := writeFile(t, dir, "e-tie.pcap", cat(pcapHeader(le, magicMicro, 0, eth),
		pcapRec(le, sec0+100, 0, frame(6, 4), 4),
	))
	writeFile(t, dir, "notes.txt", []byte("analyst notes, not a capture\n"))
	writeFile(t, dir, "zero-length.pcap", nil)
	writeFile(t, dir, "text.gz", gzipped(t, []byte("gzip but not a capture")))
	writeFile(t, dir, "broken.zst", []byte{0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff})
	if err := os.Mkdir(filepath.Join(dir, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "subdir"), "ignored.pcap", pcapHeader(le, magicMicro, 0, eth))

	wantOrder := []string{early, middle, late, tie, empty}
	wantPkts := []pkt{
		{TS: (sec0 + 50) * 1e9, Wire: 5, Data: frame(3, 5), Link: LinkRaw, File: 0, Number: 1},
		{TS: (sec0 + 150) * 1e9, Wire: 5, Data: frame(4, 5), Link: LinkRaw, File: 0, Number: 2},
		{TS: (sec0+60)*1e9 + 7, Wire: 6, Data: frame(5, 6), Link: LinkEthernet, File: 1, Number: 1},
		{TS: (sec0 + 100) * 1e9, Wire: 4, Data: frame(1, 4), Link: LinkEthernet, File: 2, Number: 1},
		{TS: (sec0 + 101) * 1e9, Wire: 4, Data: frame(2, 4), Link: LinkEthernet, File: 2, Number: 2},
		{TS: (sec0 + 100) * 1e9, Wire: 4, Data: frame(6, 4), Link: LinkEthernet, File: 3, Number: 1},
	}
	paths := func(fs []FileStats) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Path)
		}
		return out
	}

	t.Run("files", func(t *testing.T) {
		// Ties keep the order given: tie is named before late here.
		res := readSource(t, []string{empty, tie, middle, late, early}, Options{})
		order := []string{early, middle, tie, late, empty}
		if diff := cmp.Diff(order, paths(res.files)); diff != "" {
			t.Errorf("file order (-want, +got):\n%s", diff)
		}
		if len(res.src.Skipped()) != 0 {
			t.Errorf("Skipped() = %v, want none", res.src.Skipped())
		}
		if len(res.pkts) != len(wantPkts) {
			t.Errorf("read %d packets, want %d", len(res.pkts), len(wantPkts))
		}
	})

	t.Run("directory", func(t *testing.T) {
		res := readSource(t, []string{dir}, Options{})
		if diff := cmp.Diff(wantOrder, paths(res.files)); diff != "" {
			t.Errorf("file order (-want, +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantPkts, res.pkts); diff != "" {
			t.Errorf("packets (-want, +got):\n%s", diff)
		}
		wantSkipped := []Skipped{
			{Path: filepath.Join(dir, "broken.zst"), Reason: ErrNotCapture.Error()},
			{Path: filepath.Join(dir, "notes.txt"), Reason: ErrNotCapture.Error()},
			{Path: filepath.Join(dir, "text.gz"), Reason: ErrNotCapture.Error()},
			{Path: filepath.Join(dir, "zero-length.pcap"), Reason: ErrNotCapture.Error()},
		}
		if diff := cmp.Diff(wantSkipped, res.src.Skipped()); diff != "" {
			t.Errorf("Skipped() (-want, +got):\n%s", diff)
		}
		var got []string
		for _, f := range res.files {
			got = append(got, f.Format+"/"+f.Compression)
		}
		want := []string{"pcapng/gzip", "pcap-nsec/zstd", "pcap/", "pcap/", "pcap-nsec/"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("formats (-want, +got):\n%s", diff)
		}
		if st := res.files[0]; st.FirstTS != (sec0+50)*1e9 || st.LastTS != (sec0+150)*1e9 || st.Packets != 2 {
			t.Errorf("Files()[0] first %d, last %d, %d packets; want %d, %d, 2", st.FirstTS, st.LastTS, st.Packets, int64(sec0+50)*1e9, int64(sec0+150)*1e9)
		}
	})

	t.Run("files named twice", func(t *testing.T) {
		// A file is read once however often it is named, directly or
		// through its directory.
		res := readSource(t, []string{late, dir, dir + "/../" + filepath.Base(dir) + "/a-late.pcap", late}, Options{})
		if diff := cmp.Diff(wantOrder, paths(res.files)); diff != "" {
			t.Errorf("file order (-want, +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantPkts, res.pkts); diff != "" {
			t.Errorf("packets (-want, +got):\n%s", diff)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	text := writeFile(t, dir, "notes.txt", []byte("not a capture at all"))
	empty := writeFile(t, dir, "empty.pcap", nil)
	gz := writeFile(t, dir, "text.gz", gzipped(t, []byte("not a capture at all")))
	badGzip := writeFile(t, dir, "bad.gz", []byte{0x1f, 0x8b, 0xff, 0xff, 0xff})
	short := writeFile(t, dir, "short", []byte{0xd4, 0xc3})
	good := writeFile(t, dir, "good.pcap", pcapHeader(le, magicMicro, 0, 1))
	noCaptures := filepath.Join(dir, "none")
	if err := os.Mkdir(noCaptures, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, noCaptures, "readme", []byte("nothing here"))
	emptyDir := t.TempDir()

	tests := []struct {
		name  string
		paths []string
		want  error
		names string // the path the error must name
	}{
		{"no paths", nil, ErrNoInput, ""},
		{"text file", []string{text}, ErrNotCapture, text},
		{"empty file", []string{empty}, ErrNotCapture, empty},
		{"gzip-compressed text", []string{gz}, ErrNotCapture, gz},
		{"damaged gzip header", []string{badGzip}, ErrNotCapture, badGzip},
		{"shorter than a magic number", []string{short}, ErrNotCapture, short},
		{"text file after a capture", []string{good, text}, ErrNotCapture, text},
		{"missing file", []string{filepath.Join(dir, "missing.pcap")}, fs.ErrNotExist, filepath.Join(dir, "missing.pcap")},
		{"directory without captures", []string{noCaptures}, ErrNoInput, noCaptures},
		{"empty directory", []string{emptyDir}, ErrNoInput, emptyDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(tt.paths, Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open(%q) error = %v, want %v", tt.paths, err, tt.want)
			}
			if src != nil {
				t.Errorf("Open(%q) returned a source with its error", tt.paths)
			}
			if !strings.Contains(err.Error(), tt.names) {
				t.Errorf("Open(%q) error = %q, want it to name %s", tt.paths, err, tt.names)
			}
		})
	}
}

// TestReadStats checks the per-file counters that need a whole file:
// gaps, time going backwards, and the truncation and byte totals.
func TestReadStats(t *testing.T) {
	o := le
	file := cat(pcapHeader(o, magicNano, 100, uint32(LinkRaw)),
		pcapRec(o, sec0, 0, frame(1, 100), 1500),
		pcapRec(o, sec0+1, 0, frame(2, 50), 50),
		pcapRec(o, sec0, 500_000_000, frame(3, 50), 60), // backwards
		pcapRec(o, sec0+10, 0, frame(4, 100), 200),      // a 9.5 s gap
		pcapRec(o, sec0+15, 0, frame(5, 10), 10),        // a 5 s gap, at the threshold
		pcapRec(o, sec0+19, 0, frame(6, 10), 10),
	)
	path := writeFile(t, t.TempDir(), "stats.pcap", file)
	res := readSource(t, []string{path}, Options{GapThreshold: 5 * time.Second})
	want := FileStats{
		Format: "pcap-nsec", Packets: 6, CapturedBytes: 320, WireBytes: 1830,
		FirstTS: sec0 * 1e9, LastTS: (sec0 + 19) * 1e9, LinkTypes: []LinkType{LinkRaw}, SnapLen: 100,
		Truncated: 3, TimeBackwards: 1, Gaps: 2, MaxGapNS: 9_500_000_000,
	}
	if diff := cmp.Diff(want, res.files[0], statsOpts); diff != "" {
		t.Errorf("Files()[0] (-want, +got):\n%s", diff)
	}
}

// TestPacketsStop checks that a reader can stop early and that a cancelled
// context ends the iteration with the context's error.
func TestPacketsStop(t *testing.T) {
	const n = 20_000 // the context is checked every 16384 packets
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = pcapRec(le, sec0, uint32(i%1e6), frame(byte(i), 4), 4)
	}
	dir := t.TempDir()
	a := writeFile(t, dir, "a.pcap", cat(pcapHeader(le, magicMicro, 0, 1), cat(recs...)))
	b := writeFile(t, dir, "b.pcap.gz", gzipped(t, cat(pcapHeader(le, magicMicro, 0, 1), pcapRec(le, sec0+1, 0, nil, 0))))

	t.Run("break", func(t *testing.T) {
		src, err := Open([]string{b, a}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, stopAt := range []int{1, 2, n + 1} {
			seen := 0
			for p, err := range src.Packets(t.Context()) {
				if err != nil {
					t.Fatal(err)
				}
				seen++
				if p.Number != int64(seen) && p.File == 0 {
					t.Fatalf("packet %d has number %d", seen, p.Number)
				}
				if seen == stopAt {
					break
				}
			}
			if seen != stopAt {
				t.Errorf("stopping at %d: saw %d packets", stopAt, seen)
			}
		}
	})

	t.Run("cancel", func(t *testing.T) {
		src, err := Open([]string{a, b}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		seen, errs := 0, 0
		for _, err := range src.Packets(ctx) {
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Packets() error = %v, want context.Canceled", err)
				}
				errs++
				continue
			}
			seen++
			if seen == 100 {
				cancel()
			}
		}
		if errs != 1 || seen >= n {
			t.Errorf("after cancelling: %d packets, %d errors; want fewer than %d packets and one error", seen, errs, n)
		}
	})
}

// TestStreamMatchesMemory reads captures through the streaming byte
// source (used for compressed files) with every possible split of the
// input between two reads, one byte at a time and half reads, and
// expects exactly what the memory-mapped path reads.
func TestStreamMatchesMemory(t *testing.T) {
	for name, file := range streamFiles() {
		t.Run(name, func(t *testing.T) {
			want := readStream(t, newMemStream(file))
			if len(want.pkts) == 0 {
				t.Fatal("memory read found no packets")
			}
			readers := map[string]func() *byteStream{
				"one byte": func() *byteStream { return streamOf(&chunkReader{b: file, sizes: []int{1}}) },
				"odd":      func() *byteStream { return streamOf(&chunkReader{b: file, sizes: []int{3, 7, 1, 13, 2}}) },
			}
			for split := 1; split < len(file); split++ {
				readers["split "+itoa(uint64(split))] = func() *byteStream {
					return streamOf(&chunkReader{b: file, sizes: []int{split, len(file)}})
				}
			}
			for rname, r := range readers {
				got := readStream(t, r())
				if diff := cmp.Diff(want, got, cmp.AllowUnexported(streamResult{}), cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("%s: stream read (-memory, +stream):\n%s", rname, diff)
				}
			}
		})
	}
}

// streamFiles are captures with records and sections at many offsets.
func streamFiles() map[string][]byte {
	return map[string][]byte{
		"pcap": cat(pcapHeader(be, magicMicro, 0, 1), pcapRec(be, sec0, 1, frame(1, 30), 30), pcapRec(be, sec0, 2, frame(2, 3), 9)),
		"pcap-modified": cat(pcapHeader(le, magicModified, 0, 1), pcapModRec(le, sec0, 1, frame(1, 30), 30),
			pcapModRec(le, sec0, 2, frame(2, 3), 3)),
		"pcapng": cat(ngSHB(le), ngIDB(le, 1, 0), ngEPB(le, 0, 1, frame(1, 30), 30),
			ngSHB(be), ngIDB(be, 101, 16, tsResol(be, 9)), ngSPB(be, 30, frame(2, 30)), ngPB(be, 0, 7, frame(3, 5), 5),
			ngSHB(le), ngIDB(le, 113, 0), ngEPB(le, 0, 9, frame(4, 7), 7)),
		"pcapng-damaged": cat(ngSHB(le), ngIDB(le, 1, 0), ngEPB(le, 0, 1, frame(1, 30), 30), ngEPB(le, 0, 2, frame(2, 30), 30)[:40]),
	}
}

// sharedBuf spares the stream tests a 1 MiB buffer for every read; the
// tests using it do not run in parallel.
var sharedBuf = bufio.NewReaderSize(nil, streamBufSize)

// streamOf is newByteStream(r), with the buffer the package uses.
func streamOf(r io.Reader) *byteStream {
	sharedBuf.Reset(r)
	return newByteStream(sharedBuf)
}

// chunkReader returns b in reads of the given sizes, cycling.
type chunkReader struct {
	b     []byte
	sizes []int
	i     int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.b), r.sizes[r.i%len(r.sizes)])
	r.i++
	copy(p, r.b[:n])
	r.b = r.b[n:]
	return n, nil
}

// streamResult is what a record reader yields from one byte stream.
type streamResult struct {
	pkts   []pkt
	end    string // "eof" or the kind of the error that ended the read
	errors map[string]int64
	format string
}

// readStream runs the record reader the stream's magic selects, without a
// Source, and returns its records unchanged.
func readStream(t testing.TB, s *byteStream) streamResult {
	t.Helper()
	var st FileStats
	var rr recordReader
	var err error
	switch captureFormat(s.peek(4)) {
	case "pcap":
		rr, err = newPcapReader(s, &st, "mem")
	case "pcapng":
		rr, err = newPcapngReader(s, &st, "mem")
	default:
		err = ErrNotCapture
	}
	res := streamResult{end: "eof"}
	if err == nil {
		var p Packet
		for n := int64(1); ; n++ {
			if err = rr.next(&p); err != nil {
				break
			}
			if len(p.Data) > maxRecordLen {
				t.Fatalf("record %d holds %d bytes, more than %d", n, len(p.Data), maxRecordLen)
			}
			res.pkts = append(res.pkts, pkt{TS: p.Timestamp, Wire: p.WireLen, Data: bytes.Clone(p.Data), Link: p.LinkType, Number: n, Iface: p.Interface})
		}
	}
	var fe *FormatError
	switch {
	case errors.Is(err, io.EOF):
	case errors.As(err, &fe):
		res.end = fe.Kind
	default:
		res.end = err.Error()
	}
	res.errors, res.format = st.Errors, st.Format
	return res
}

func TestLinkTypeString(t *testing.T) {
	tests := []struct {
		l    LinkType
		want string
	}{
		{LinkEthernet, "EN10MB"},
		{LinkRaw, "RAW"},
		{LinkLinuxSLL2, "LINUX_SLL2"},
		{0, "NULL"},
		{147, "LINKTYPE_147"},
		{1 << 31, "LINKTYPE_2147483648"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("LinkType(%d).String() = %q, want %q", uint32(tt.l), got, tt.want)
		}
	}
}

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	pcapng := cat(ngSHB(le), ngIDB(le, 1, 0))
	tests := []struct {
		name               string
		file               []byte
		format, compressed string
	}{
		{"pcap", pcapHeader(le, magicMicro, 0, 1), "pcap", ""},
		{"pcap big-endian nanoseconds", pcapHeader(be, magicNano, 0, 1), "pcap", ""},
		{"pcap modified", pcapHeader(be, magicModified, 0, 1), "pcap", ""},
		{"pcapng", pcapng, "pcapng", ""},
		{"pcapng gzip", gzipped(t, pcapng), "pcapng", "gzip"},
		{"pcap zstd", zstded(t, pcapHeader(le, magicMicro, 0, 1)), "pcap", "zstd"},
		{"text gzip", gzipped(t, []byte("hello")), "", "gzip"},
		{"text", []byte("hello"), "", ""},
		{"empty", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, "f", tt.file)
			format, compressed, err := Sniff(path)
			if err != nil || format != tt.format || compressed != tt.compressed {
				t.Errorf("Sniff() = %q, %q, %v; want %q, %q, nil", format, compressed, err, tt.format, tt.compressed)
			}
		})
	}
	if _, _, err := Sniff(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Sniff(missing) error = %v, want fs.ErrNotExist", err)
	}
}

// TestZstdWindowLimit checks that a zstd frame may not claim a window
// above the reference decoder's default limit: the decoder allocates the
// window up front, so ten bytes could otherwise cost half a gigabyte.
func TestZstdWindowLimit(t *testing.T) {
	// rawFrame is a zstd frame with the given window descriptor and one
	// raw block holding b.
	rawFrame := func(windowDesc byte, b []byte) []byte {
		f := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, windowDesc} // no checksum, no content size
		bh := uint32(1) | uint32(len(b))<<3                   // last block, raw
		f = append(f, byte(bh), byte(bh>>8), byte(bh>>16))
		return append(f, b...)
	}
	capture := cat(pcapHeader(le, magicMicro, 0, 1), pcapRec(le, sec0, 0, frame(1, 4), 4))
	dir := t.TempDir()
	// The window is 2^(10 + descriptor>>3) bytes.
	ok := writeFile(t, dir, "window-2^27.pcap.zst", rawFrame(17<<3, capture))
	res := readSource(t, []string{ok}, Options{})
	if len(res.pkts) != 1 || res.files[0].Compression != "zstd" || len(res.warns) != 0 {
		t.Errorf("2^27 window: %d packets, compression %q, warnings %v; want 1, zstd, none", len(res.pkts), res.files[0].Compression, res.warns)
	}
	big := writeFile(t, dir, "window-2^28.pcap.zst", rawFrame(18<<3, capture))
	if _, err := Open([]string{big}, Options{}); !errors.Is(err, ErrNotCapture) {
		t.Errorf("Open(2^28 window) error = %v, want ErrNotCapture", err)
	}
}
