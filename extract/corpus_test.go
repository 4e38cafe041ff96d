package extract

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"flowsift/extract/capture"
	"flowsift/extract/table"
)

// corpusDir locates ../shared/corpus beside the module root, or skips.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(c); err != nil {
		t.Skipf("real-capture corpus absent (%s): corpus comparisons skipped", c)
	}
	return c
}

func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r *bufio.Scanner
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = bufio.NewScanner(zr)
	} else {
		r = bufio.NewScanner(f)
	}
	r.Buffer(make([]byte, 1<<20), 1<<20)
	var rows [][]string
	for r.Scan() {
		rows = append(rows, strings.Split(r.Text(), "\t"))
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rows[1:] // the header
}

// TestCorpusPacketCounts reads every real capture and compares the packet
// count with capinfos (tcpdump where capinfos cannot read the link type),
// as recorded by testdata/corpus/refgen.sh.
func TestCorpusPacketCounts(t *testing.T) {
	corpus := corpusDir(t)
	ref := readTSV(t, "../testdata/corpus/packets.tsv")
	if len(ref) < 1000 {
		t.Fatalf("reference lists %d captures, want the whole corpus", len(ref))
	}
	for _, row := range ref {
		want, err := strconv.ParseInt(row[1], 10, 64)
		if err != nil {
			t.Fatalf("%s: bad reference count %q", row[0], row[1])
		}
		src, err := capture.Open([]string{filepath.Join(corpus, row[0])}, capture.Options{})
		if err != nil {
			t.Errorf("%s: %v", row[0], err)
			continue
		}
		var n int64
		for _, err := range src.Packets(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != want {
			t.Errorf("%s: read %d packets, %s counts %d", row[0], n, row[2], want)
		}
	}
}

// conv is one direction-aware five-tuple's frames and frame bytes.
type conv struct {
	aFrames, aBytes, bFrames, bBytes int64
}

// TestCorpusConversations compares flows.parquet with TShark on every
// nDPI and StopDDoS capture: per TCP/UDP five-tuple, summed over the
// capture (TShark has no timeouts), the frames and frame bytes each side
// sent. Differences are only allowed where the flow row itself says why
// (see explain).
func TestCorpusConversations(t *testing.T) {
	corpus := corpusDir(t)
	ref := map[string]map[string]conv{}
	for _, r := range readTSV(t, "../testdata/corpus/conv.tsv.gz") {
		if ref[r[0]] == nil {
			ref[r[0]] = map[string]conv{}
		}
		n := make([]int64, 4)
		for i := range n {
			n[i], _ = strconv.ParseInt(r[4+i], 10, 64)
		}
		ref[r[0]][r[1]+" "+r[2]+" "+r[3]] = conv{n[0], n[1], n[2], n[3]}
	}
	files := make([]string, 0, len(ref))
	for f := range ref {
		files = append(files, f)
	}
	slices.Sort(files)
	var compared, equal int
	explained := map[string]int{}
	for _, file := range files {
		got, notes, malformed := flowConversations(t, filepath.Join(corpus, file))
		keys := slices.Sorted(maps.Keys(ref[file]))
		for _, k := range keys {
			want := ref[file][k]
			compared++
			g, ok := got[k]
			if ok && g == want {
				equal++
				continue
			}
			why := explain(notes[k], ok, g, want)
			if why == "" && g.aFrames <= want.aFrames && g.bFrames <= want.bFrames {
				// Frames TShark shows whose TCP or UDP header flowsift
				// rejects (too short, data offset past the end), as
				// Zeek does: the manifest must count at least as many.
				if missing := want.aFrames + want.bFrames - g.aFrames - g.bFrames; missing <= malformed {
					malformed -= missing
					why = "malformed transport headers, dropped as Zeek does and counted in capture.json"
				}
			}
			if why == "" {
				why = knownDifferences[file]
			}
			if why == "" {
				t.Errorf("%s %s: flowsift %+v (found %v), TShark %+v", file, k, g, ok, want)
				continue
			}
			explained[why]++
		}
	}
	t.Logf("%d five-tuples compared with TShark, %d identical; explained differences: %v", compared, equal, explained)
	if compared < 10000 {
		t.Errorf("compared only %d five-tuples", compared)
	}
}

// flowNote is what a flow row tells about why its counts may differ.
type flowNote struct {
	frags, truncated int64
	tunnelled        bool
}

// explain names the reason a five-tuple's counts differ from TShark's, or
// returns "" when the flow rows give none.
func explain(n flowNote, found bool, got, want conv) string {
	switch {
	case n.frags > 0 && got.aFrames == want.aFrames && got.bFrames == want.bFrames:
		// Both count a reassembled datagram once; flowsift adds the wire
		// bytes of every fragment, TShark only the frame that completed it.
		return "ip fragments: frame bytes of all fragments"
	case n.frags > 0:
		return "ip fragments: incomplete datagrams are not flows"
	case n.truncated > 0:
		return "packets cut by the snap length"
	case !found:
		return ""
	}
	return ""
}

// knownDifferences explains, per capture, what TShark decodes and flowsift
// does not; each was checked frame by frame with tshark -V.
var knownDifferences = map[string]string{}

func flowConversations(t *testing.T, pcap string) (map[string]conv, map[string]flowNote, int64) {
	t.Helper()
	out := t.TempDir()
	cfg := DefaultConfig()
	cfg.Inputs, cfg.OutDir = []string{pcap}, out
	cfg.Flow.IdleTimeout = 1 << 62 // one flow per five-tuple, like TShark
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatalf("%s: %v", pcap, err)
	}
	f, err := table.Open(filepath.Join(out, FlowsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := f.Read("uid", "proto", "orig_h", "orig_p", "resp_h", "resp_p", "orig_pkts", "resp_pkts",
		"orig_l2_bytes", "resp_l2_bytes", "frag_pkts", "truncated_pkts", "tunnel_type")
	if err != nil {
		t.Fatal(err)
	}
	c := tb.Column
	got, notes := map[string]conv{}, map[string]flowNote{}
	uids := map[string]bool{}
	for i := range tb.Rows {
		if uid := c("uid").Strs[i]; uids[uid] {
			t.Errorf("%s: uid %s names two flows", pcap, uid)
		} else {
			uids[uid] = true
		}
		proto := c("proto").Strs[i]
		if proto != "tcp" && proto != "udp" {
			continue
		}
		o := endpoint(c("orig_h").Strs[i], c("orig_p").Ints[i])
		r := endpoint(c("resp_h").Strs[i], c("resp_p").Ints[i])
		oc := conv{c("orig_pkts").Ints[i], c("orig_l2_bytes").Ints[i], c("resp_pkts").Ints[i], c("resp_l2_bytes").Ints[i]}
		switch {
		case o == r:
			// One endpoint talking to itself: TShark counts every frame
			// on the B side.
			oc = conv{0, 0, oc.aFrames + oc.bFrames, oc.aBytes + oc.bBytes}
		case r < o:
			o, r = r, o
			oc = conv{oc.bFrames, oc.bBytes, oc.aFrames, oc.aBytes}
		}
		k := proto + " " + o + " " + r
		g := got[k]
		got[k] = conv{g.aFrames + oc.aFrames, g.aBytes + oc.aBytes, g.bFrames + oc.bFrames, g.bBytes + oc.bBytes}
		n := notes[k]
		n.frags += c("frag_pkts").Ints[i]
		n.truncated += c("truncated_pkts").Ints[i]
		n.tunnelled = n.tunnelled || !c("tunnel_type").IsNull(i)
		notes[k] = n
	}
	m, err := ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	return got, notes, m.Decode["bad_transport_header"] + m.Decode["truncated_transport_header"]
}

// endpoint writes an address and port as TShark's fields do: IPv6
// addresses bracketed, TShark's compressed form.
func endpoint(h string, p int64) string {
	a, err := netip.ParseAddr(h)
	if err == nil && a.Is6() {
		return fmt.Sprintf("[%s]:%d", a, p)
	}
	return fmt.Sprintf("%s:%d", h, p)
}
