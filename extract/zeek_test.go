package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
	"flowsift/extract/table"
)

// TestZeekBaselines compares flows.parquet with the conn.log baselines of
// Zeek's own test suite. It needs a Zeek git checkout or bare mirror:
//
//	FLOWSIFT_ZEEK_REPO=/path/to/zeek go test ./extract -run TestZeekBaselines
//
// Every testing/btest/Baseline/<test>/conn.log whose test script reads
// exactly one trace with -r $TRACES/..., does not redef tcp_* settings and
// whose trace is not a Git LFS pointer is used: the trace is extracted with
// Zeek's inactivity timeouts (TCP 5 min, UDP and ICMP 1 min) and each
// conn.log row is compared, by five-tuple, proto and ip_proto, with its
// flow row: conn_state, history, orig/resp pkts, bytes and ip_bytes, and
// missed_bytes. A difference must be explained, mechanically where the
// trace, the test's command line or the other logs show why
// (zeekExplainer.explain), or by knownZeekDifferences.
func TestZeekBaselines(t *testing.T) {
	repo := os.Getenv("FLOWSIFT_ZEEK_REPO")
	if repo == "" {
		t.Skip("FLOWSIFT_ZEEK_REPO is not set: Zeek baseline comparison skipped " +
			"(run FLOWSIFT_ZEEK_REPO=/path/to/zeek go test ./extract -run TestZeekBaselines)")
	}
	z := zeekRepo{dir: repo}
	cases, skipped := z.cases(t)
	if len(cases) < 100 {
		t.Fatalf("%s: only %d usable Zeek tests (not used: %v)", repo, len(cases), skipped)
	}
	var tot zeekTotals
	tot.explained = map[string]int{}
	known := map[string]int{}
	start := time.Now()
	ran := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ran++
			if why := z.compare(t, c, &tot, known); why != "" {
				skipped[why]++
				t.Skip(why)
			}
		})
	}
	all := ran == len(cases) // not narrowed by -run TestZeekBaselines/...
	for name, k := range knownZeekDifferences {
		if all && known[name] != k.rows {
			t.Errorf("knownZeekDifferences[%q] explains %d rows, want %d: update the entry", name, known[name], k.rows)
		}
	}
	t.Logf("Zeek %s: %d conn.log rows of %d tests compared in %s, %d identical; %d tests not used:",
		z.head(t), tot.rows, tot.tests, time.Since(start).Round(time.Millisecond), tot.identical, sumValues(skipped))
	for _, why := range slices.Sorted(maps.Keys(skipped)) {
		t.Logf("  %4d  %s", skipped[why], why)
	}
	t.Logf("differences explained:")
	for _, why := range slices.Sorted(maps.Keys(tot.explained)) {
		t.Logf("  %4d  %s", tot.explained[why], why)
	}
	t.Logf("not compared: %d flows that have no conn.log row (tests that filter packets, Teredo bubbles, ...)", tot.extra)
	if all && tot.rows < 500 {
		t.Errorf("compared only %d conn.log rows", tot.rows)
	}
}

// knownZeekDifferences explains, per Zeek test, rows whose difference the
// comparison cannot explain from the data: what the test's script does
// to Zeek. Each was checked by hand against the script and the trace;
// rows is the number of conn.log rows the entry covers.
var knownZeekDifferences = map[string]struct {
	rows int
	why  string
}{
	"core.pcap.dynamic-filter": {1, "the script installs pcap filters at run time (port 80, then port 53): " +
		"Zeek stops seeing packets that flowsift reads"},
	"scripts.base.frameworks.netcontrol.packetfilter": {2, "the script adds a NetControl drop rule for the " +
		"originator on connection_established: Zeek sees only the handshake"},
	"scripts.base.protocols.ftp.gridftp": {1, "gridftp.zeek calls skip_further_processing on a data channel over " +
		"size_threshold (the test sets it to 2 bytes): Zeek misses the later packets and the FINs"},
}

// Explanation categories found mechanically.
const (
	whyChecksum   = "bad checksum in the trace: Zeek drops the packet (the test does not pass -C), flowsift does not verify checksums"
	whyFragments  = "IP datagram whose reassembly never completed: flowsift counts it from its first fragment, Zeek drops it"
	whyLimitX     = "Zeek history letter X (an analyzer limit was hit: tunnel changes over Tunnel::max_changes_per_connection, an FTP command over FTP::max_command_length, ...); flowsift models no analyzer limits"
	whyFlipCount  = "Zeek counts the UDP packet during which an analyzer flipped the roles (NTP's, DNS's FlipRoles) in its pre-flip direction; flowsift in its new one"
	whyConnSize   = "the test disables all analyzers: Zeek's ConnSize analyzer leaves pkts and ip_bytes unset"
	whyBareServer = "zeek -b loads no analyzer for the port, so likely_server_ports lacks it and Zeek keeps the first sender as originator"
	whyTSO        = "IPv4 total length 0 (TCP segmentation offload, the test passes -C): Zeek's ConnSize adds the header's 0, flowsift the captured length"
	whyMalformed  = "Zeek makes a connection of packets whose TCP/UDP header it then rejects (0 packets logged); flowsift makes no flow of them (capture.json: truncated_transport_header, bad_transport_header)"
	whyTunnelFmt  = "tunnel that flowsift does not decapsulate (Zeek: %s)"
)

type zeekTotals struct {
	tests, rows, identical, extra int
	explained                     map[string]int
}

// zeekRepo reads files from a Zeek git repository with git show.
type zeekRepo struct{ dir string }

func (z zeekRepo) git(t testing.TB, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", z.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

func (z zeekRepo) show(t testing.TB, path string) []byte {
	t.Helper()
	return z.git(t, "show", "HEAD:"+path)
}

func (z zeekRepo) head(t testing.TB) string {
	return strings.TrimSpace(string(z.git(t, "log", "-1", "--format=%h (%cs)", "HEAD")))
}

// zeekCase is one Zeek test whose conn.log baseline is compared.
type zeekCase struct {
	name     string // baseline directory: the test path with dots
	script   string // the test's source
	trace    string // repository path of the trace
	command  string // the zeek command line that reads the trace
	checksum bool   // Zeek validates checksums (no -C, no ignore_checksums)
	bare     bool   // zeek -b: only the scripts the test loads
}

var (
	traceArg        = regexp.MustCompile(`-r\s+\$\{?TRACES\}?/(\S+)`)
	ignoreChecksums = regexp.MustCompile(`redef\s+ignore_checksums\s*=\s*T`)
)

// cases lists the tests to compare, as the prototype harness chose them.
func (z zeekRepo) cases(t *testing.T) ([]zeekCase, map[string]int) {
	t.Helper()
	files := strings.Split(strings.TrimSpace(string(z.git(t, "ls-tree", "-r", "--name-only", "HEAD", "testing/btest"))), "\n")
	inTree := make(map[string]bool, len(files))
	for _, f := range files {
		inTree[f] = true
	}
	const base = "testing/btest/Baseline/"
	skipped := map[string]int{}
	var cases []zeekCase
	for _, f := range files {
		name, ok := strings.CutPrefix(f, base)
		if !ok || !strings.HasSuffix(name, "/conn.log") || strings.Count(name, "/") != 1 {
			continue
		}
		name = strings.TrimSuffix(name, "/conn.log")
		prefix := "testing/btest/" + strings.ReplaceAll(name, ".", "/") + "."
		i := slices.IndexFunc(files, func(s string) bool {
			return strings.HasPrefix(s, prefix) && !strings.HasPrefix(s, base)
		})
		if i < 0 {
			skipped["no test script"]++ // e.g. a @TEST-START-NEXT variant
			continue
		}
		src := string(z.show(t, files[i]))
		m := traceArg.FindAllStringSubmatch(src, -1)
		traces := map[string]bool{}
		for _, s := range m {
			traces[s[1]] = true
		}
		if len(traces) != 1 {
			skipped["not exactly one trace"]++
			continue
		}
		if strings.Contains(src, "redef") && strings.Contains(src, "tcp_") {
			skipped["redefs tcp_* settings"]++
			continue
		}
		trace := "testing/btest/Traces/" + m[0][1]
		if !inTree[trace] {
			skipped["trace not in the repository"]++
			continue
		}
		c := zeekCase{name: name, script: src, trace: trace}
		for line := range strings.Lines(src) {
			if traceArg.MatchString(line) {
				c.command, _, _ = strings.Cut(line, "|")
				break
			}
		}
		c.checksum = !zeekFlag(c.command, 'C', "--no-checksums") && !ignoreChecksums.MatchString(src)
		c.bare = zeekFlag(c.command, 'b', "--bare-mode")
		cases = append(cases, c)
	}
	return cases, skipped
}

// zeekFlag reports whether a command line passes a short flag (alone or
// in a cluster such as -bC) or its long form.
func zeekFlag(cmd string, short byte, long string) bool {
	for _, f := range strings.Fields(cmd) {
		if f == long {
			return true
		}
		if len(f) > 1 && f[0] == '-' && f[1] != '-' && strings.IndexFunc(f[1:], func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) < 0 && strings.IndexByte(f, short) > 0 {
			return true
		}
	}
	return false
}

// zeekLog parses a Zeek ASCII log into rows keyed by field name. Logs
// without a #fields header (JSON, or cut by zeek-cut) give no rows.
func zeekLog(b []byte) []map[string]string {
	var fields []string
	var rows []map[string]string
	for line := range strings.Lines(string(b)) {
		line = strings.TrimRight(line, "\r\n")
		if f, ok := strings.CutPrefix(line, "#fields\t"); ok {
			fields = strings.Split(f, "\t")
			continue
		}
		if line == "" || line[0] == '#' || fields == nil {
			continue
		}
		row := map[string]string{}
		for i, v := range strings.Split(line, "\t") {
			if i < len(fields) {
				row[fields[i]] = v
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// zeekFields are the compared conn.log fields, in flows.parquet's names.
var zeekFields = []string{"conn_state", "history", "orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes",
	"orig_ip_bytes", "resp_ip_bytes", "missed_bytes"}

// fsRow is one flows.parquet row, its values written as Zeek logs them.
type fsRow struct {
	uid, proto         string
	orig, resp         string // address and port, "h p"
	ipProto            string
	vals               map[string]string
	parents            []string
	fragPkts           int64
	used, isParent     bool
	origPkts, respPkts int64
}

// connKey names a connection as conn.log does: originator, responder,
// proto and (when logged) ip_proto.
func connKey(proto, orig, resp, ipProto string) string {
	return proto + " " + orig + " " + resp + " " + ipProto
}

func zeekAddr(h string) string {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.String()
	}
	return h
}

// compare checks one test's conn.log; it returns why the test cannot be
// used, or "".
func (z zeekRepo) compare(t *testing.T, c zeekCase, tot *zeekTotals, known map[string]int) string {
	zrows := zeekLog(z.show(t, "testing/btest/Baseline/"+c.name+"/conn.log"))
	var conns []map[string]string
	for _, r := range zrows {
		if r["conn_state"] != "" && r["id.orig_h"] != "" && r["proto"] != "" {
			conns = append(conns, r)
		}
	}
	if len(conns) == 0 {
		return "conn.log has no rows with #fields, id, proto and conn_state (cut by zeek-cut, or JSON)"
	}
	data := z.show(t, c.trace)
	if bytes.HasPrefix(data, []byte("version https://git-lfs")) {
		return "trace is a Git LFS pointer"
	}
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.pcap")
	if err := os.WriteFile(trace, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	cfg := DefaultConfig()
	cfg.Inputs, cfg.OutDir = []string{trace}, out
	cfg.Flow.IdleTimeout = 300 * time.Second
	cfg.Flow.UDPIdleTimeout = 60 * time.Second
	cfg.Flow.ICMPIdleTimeout = 60 * time.Second
	m, err := Run(context.Background(), cfg)
	if err != nil && !errors.Is(err, ErrNoPackets) {
		t.Fatalf("extract %s: %v", c.trace, err)
	}
	ours := readFlowRows(t, filepath.Join(out, FlowsFile))
	_, hasIPProto := conns[0]["ip_proto"]
	byKey := map[string][]*fsRow{}
	for _, r := range ours {
		ipp := ""
		if hasIPProto {
			ipp = r.ipProto
		}
		k := connKey(r.proto, r.orig, r.resp, ipp)
		byKey[k] = append(byKey[k], r)
	}
	ex := &zeekExplainer{c: c, conns: zrows, ours: ours, manifest: m}
	if tl := "testing/btest/Baseline/" + c.name + "/tunnel.log"; slices.Contains(z.lsBaseline(t, c.name), tl) {
		ex.tunnels = zeekLog(z.show(t, tl))
	}
	ex.facts = readTraceFacts(t, trace)

	// Pair each conn.log row with a flow row of the same key, preferring
	// an identical one when a key repeats.
	pairs := make([]*fsRow, len(conns))
	keys := make([]string, len(conns))
	for i, zr := range conns {
		ipp := zr["ip_proto"]
		keys[i] = connKey(zr["proto"], zeekAddr(zr["id.orig_h"])+" "+zr["id.orig_p"], zeekAddr(zr["id.resp_h"])+" "+zr["id.resp_p"], ipp)
	}
	for pass := range 2 {
		for i, zr := range conns {
			if pairs[i] != nil {
				continue
			}
			for _, r := range byKey[keys[i]] {
				if !r.used && (pass == 1 || len(zeekDiff(zr, r)) == 0) {
					r.used, pairs[i] = true, r
					break
				}
			}
		}
	}
	tot.tests++
	for i, zr := range conns {
		tot.rows++
		r := pairs[i]
		var diffs []string
		reversed := false
		switch {
		case r != nil:
			diffs = zeekDiff(zr, r)
			if len(diffs) == 0 {
				tot.identical++
				continue
			}
		default:
			ipp := zr["ip_proto"]
			rk := connKey(zr["proto"], zeekAddr(zr["id.resp_h"])+" "+zr["id.resp_p"], zeekAddr(zr["id.orig_h"])+" "+zr["id.orig_p"], ipp)
			for _, o := range byKey[rk] {
				if !o.used {
					o.used, r, reversed = true, o, true
					break
				}
			}
			if r == nil {
				diffs = []string{"missing from flows.parquet"}
			} else {
				diffs = []string{"originator and responder swapped"}
			}
		}
		why := ex.explain(zr, r, reversed)
		if why == "" {
			if k, ok := knownZeekDifferences[c.name]; ok {
				why = k.why
				known[c.name]++
			}
		}
		msg := fmt.Sprintf("%s/%s -> %s/%s %s: %s\n  zeek:     %s\n  flowsift: %s",
			zr["id.orig_h"], zr["id.orig_p"], zr["id.resp_h"], zr["id.resp_p"], zr["proto"],
			strings.Join(diffs, "; "), zeekRowString(zr), r)
		if why == "" {
			t.Errorf("%s", msg)
			continue
		}
		t.Logf("%s\n  explained: %s", msg, why)
		tot.explained[why]++
	}
	for _, r := range ours {
		if !r.used && !r.isParent {
			tot.extra++
		}
	}
	return ""
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (z zeekRepo) lsBaseline(t testing.TB, name string) []string {
	return strings.Fields(string(z.git(t, "ls-tree", "--name-only", "HEAD", "testing/btest/Baseline/"+name+"/")))
}

func zeekRowString(zr map[string]string) string {
	var b strings.Builder
	for _, f := range zeekFields {
		fmt.Fprintf(&b, "%s=%s ", f, zr[f])
	}
	return b.String() + "tunnel_parents=" + zr["tunnel_parents"]
}

func (r *fsRow) String() string {
	if r == nil {
		return "(none)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s ", r.orig, r.resp)
	for _, f := range zeekFields {
		fmt.Fprintf(&b, "%s=%s ", f, r.vals[f])
	}
	return b.String() + "tunnel_parents=" + strings.Join(r.parents, ",")
}

// zeekDiff lists the compared fields that differ; fields the log lacks
// are not compared.
func zeekDiff(zr map[string]string, r *fsRow) []string {
	var d []string
	for _, f := range zeekFields {
		zv, ok := zr[f]
		if !ok {
			continue
		}
		if zv != r.vals[f] {
			d = append(d, fmt.Sprintf("%s zeek %s flowsift %s", f, zv, r.vals[f]))
		}
	}
	return d
}

func readFlowRows(t *testing.T, path string) []*fsRow {
	t.Helper()
	f, err := table.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ints := []string{"orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes", "orig_ip_bytes", "resp_ip_bytes", "missed_bytes"}
	cols := append([]string{"uid", "proto", "ip_proto", "orig_h", "orig_p", "resp_h", "resp_p", "conn_state", "history",
		"tunnel_parents", "frag_pkts"}, ints...)
	tb, err := f.Read(cols...)
	if err != nil {
		t.Fatal(err)
	}
	c := tb.Column
	str := func(col *table.Column, i int) string {
		if col.IsNull(i) {
			return "-"
		}
		if col.Kind == table.String {
			return col.Strs[i]
		}
		return strconv.FormatInt(col.Ints[i], 10)
	}
	rows := make([]*fsRow, tb.Rows)
	byUID := map[string]*fsRow{}
	for i := range tb.Rows {
		r := &fsRow{
			uid:      c("uid").Strs[i],
			proto:    c("proto").Strs[i],
			ipProto:  str(c("ip_proto"), i),
			orig:     zeekAddr(c("orig_h").Strs[i]) + " " + str(c("orig_p"), i),
			resp:     zeekAddr(c("resp_h").Strs[i]) + " " + str(c("resp_p"), i),
			vals:     map[string]string{},
			fragPkts: c("frag_pkts").Ints[i],
			origPkts: c("orig_pkts").Ints[i],
			respPkts: c("resp_pkts").Ints[i],
		}
		for _, n := range append([]string{"conn_state", "history"}, ints...) {
			r.vals[n] = str(c(n), i)
		}
		if tp := c("tunnel_parents"); !tp.IsNull(i) {
			lo, hi := tp.Span(i)
			r.parents = slices.Clone(tp.Strs[lo:hi])
		}
		rows[i] = r
		byUID[r.uid] = r
	}
	for _, r := range rows {
		for _, p := range r.parents {
			if pr := byUID[p]; pr != nil {
				pr.isParent = true
			}
		}
	}
	return rows
}

// zeekExplainer finds why a conn.log row differs from its flow row.
type zeekExplainer struct {
	c        zeekCase
	conns    []map[string]string // all conn.log rows
	tunnels  []map[string]string // tunnel.log rows, when the test has one
	ours     []*fsRow
	manifest *Manifest
	facts    traceFacts
}

// explain returns the reason a row differs, or "". r is nil when no flow
// row was found; reversed says r was found with the roles swapped.
func (e *zeekExplainer) explain(zr map[string]string, r *fsRow, reversed bool) string {
	hist := zr["history"]
	if e.c.checksum && e.facts.bad[unorderedKey(zr)] > 0 {
		// Zeek skips the packet and logs C/c in the history (TCP, UDP).
		if zr["proto"] == "icmp" || strings.ContainsAny(hist, "Cc") {
			return whyChecksum
		}
	}
	if why := e.tunnel(zr); why != "" {
		return why
	}
	if r == nil {
		hosts := unordered(zr["proto"], zeekAddr(zr["id.orig_h"]), "", zeekAddr(zr["id.resp_h"]), "")
		if zr["orig_pkts"] == "0" && zr["resp_pkts"] == "0" && e.facts.malformed[hosts] > 0 {
			return whyMalformed
		}
		return ""
	}
	if reversed {
		if e.c.bare && strings.HasPrefix(r.vals["history"], "^") && !strings.Contains(hist, "^") &&
			len(zeekDiff(zr, unflip(r))) == 0 {
			return whyBareServer
		}
		return ""
	}
	if r.fragPkts > 0 && e.manifest != nil && e.manifest.Reassembly.Incomplete > 0 {
		zo, _ := strconv.ParseInt(zr["orig_pkts"], 10, 64)
		zp, _ := strconv.ParseInt(zr["resp_pkts"], 10, 64)
		if extra := r.origPkts + r.respPkts - zo - zp; r.origPkts >= zo && r.respPkts >= zp && extra > 0 && extra <= e.manifest.Reassembly.Incomplete {
			return whyFragments
		}
	}
	if k := unorderedKey(zr); !e.c.checksum && e.facts.tso[k] > 0 && sumEqual(zr, r, "pkts") {
		zo, _ := strconv.ParseInt(zr["orig_ip_bytes"], 10, 64)
		zp, _ := strconv.ParseInt(zr["resp_ip_bytes"], 10, 64)
		zc := maps.Clone(zr)
		delete(zc, "orig_ip_bytes")
		delete(zc, "resp_ip_bytes")
		ours := mustInt(r.vals["orig_ip_bytes"]) + mustInt(r.vals["resp_ip_bytes"])
		if ours-zo-zp == e.facts.tso[k] && len(zeekDiff(zc, r)) == 0 {
			return whyTSO
		}
	}
	if strings.Contains(hist, "X") {
		zx := maps.Clone(zr)
		zx["history"] = strings.ReplaceAll(hist, "X", "")
		if zx["history"] == "" {
			zx["history"] = "-"
		}
		if len(zeekDiff(zx, r)) == 0 {
			return whyLimitX
		}
	}
	if zr["proto"] == "udp" && strings.Index(hist, "^") > 0 && hist == r.vals["history"] && sumEqual(zr, r, "pkts") &&
		sumEqual(zr, r, "ip_bytes") && sumEqual(zr, r, "bytes") {
		return whyFlipCount
	}
	if zr["orig_pkts"] == "-" && zr["resp_pkts"] == "-" && zr["orig_ip_bytes"] == "-" && zr["resp_ip_bytes"] == "-" &&
		strings.Contains(e.c.script, "Analyzer::disable_all = T") {
		zc := maps.Clone(zr)
		for _, f := range []string{"orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes"} {
			delete(zc, f)
		}
		if len(zeekDiff(zc, r)) == 0 {
			return whyConnSize
		}
	}
	return ""
}

func mustInt(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

// sumEqual compares orig_X + resp_X of the two rows.
func sumEqual(zr map[string]string, r *fsRow, x string) bool {
	sum := func(a, b string) int64 {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return x + y
	}
	return sum(zr["orig_"+x], zr["resp_"+x]) == sum(r.vals["orig_"+x], r.vals["resp_"+x])
}

// unflip returns r with originator and responder swapped back, as it
// would read had the roles not been flipped.
func unflip(r *fsRow) *fsRow {
	u := *r
	u.vals = maps.Clone(r.vals)
	for _, f := range []string{"pkts", "bytes", "ip_bytes"} {
		u.vals["orig_"+f], u.vals["resp_"+f] = r.vals["resp_"+f], r.vals["orig_"+f]
	}
	h := []byte(strings.TrimPrefix(r.vals["history"], "^"))
	for i, b := range h {
		switch {
		case b >= 'a' && b <= 'z':
			h[i] = b - 'a' + 'A'
		case b >= 'A' && b <= 'Z' && b != 'X':
			h[i] = b - 'A' + 'a'
		}
	}
	u.vals["history"] = string(h)
	u.vals["conn_state"] = map[string]string{"SH": "SHR", "SHR": "SH", "S2": "S3", "S3": "S2", "RSTO": "RSTR",
		"RSTR": "RSTO", "RSTOS0": "RSTRH", "RSTRH": "RSTOS0"}[r.vals["conn_state"]]
	if u.vals["conn_state"] == "" {
		u.vals["conn_state"] = r.vals["conn_state"]
	}
	return &u
}

// tunnel explains a row carried by a tunnel that Zeek decapsulated and
// flowsift did not: one of the row's tunnel_parents is a connection in
// which flowsift's decoder found no tunnel.
func (e *zeekExplainer) tunnel(zr map[string]string) string {
	tp := zr["tunnel_parents"]
	if tp == "" || tp == "-" || tp == "(empty)" {
		return ""
	}
	for uid := range strings.SplitSeq(tp, ",") {
		if i := slices.IndexFunc(e.conns, func(r map[string]string) bool { return r["uid"] == uid }); i >= 0 {
			p := e.conns[i]
			if k := unorderedKey(p); !e.facts.decap[k] && e.seen(k) {
				what := p["service"]
				if what == "-" || what == "" {
					what = "no service"
				}
				return fmt.Sprintf(whyTunnelFmt, what+" over "+p["proto"]+"/"+p["id.resp_p"])
			}
			continue
		}
		// Tunnels that are not UDP connections (GRE, IP in IP) are only
		// in tunnel.log; flowsift shows an undecoded one as a flow of the
		// outer IP protocol between the tunnel endpoints.
		for _, p := range e.tunnels {
			if p["uid"] != uid {
				continue
			}
			k := unordered("unknown_transport", zeekAddr(p["id.orig_h"]), "", zeekAddr(p["id.resp_h"]), "")
			if !e.facts.decap[k] && e.seen(k) {
				return fmt.Sprintf(whyTunnelFmt, p["tunnel_type"])
			}
		}
	}
	return ""
}

// seen reports whether flowsift has a flow for an unordered connection
// key.
func (e *zeekExplainer) seen(k string) bool {
	return slices.ContainsFunc(e.ours, func(r *fsRow) bool { return r.unorderedKey() == k })
}

func (r *fsRow) unorderedKey() string {
	oh, op, _ := strings.Cut(r.orig, " ")
	rh, rp, _ := strings.Cut(r.resp, " ")
	if r.proto != "tcp" && r.proto != "udp" {
		op, rp = "", ""
	}
	return unordered(r.proto, oh, op, rh, rp)
}

// unorderedKey names a conn.log row's connection regardless of direction;
// ICMP and other protocols by addresses only.
func unorderedKey(zr map[string]string) string {
	a, b := zeekAddr(zr["id.orig_h"]), zeekAddr(zr["id.resp_h"])
	pa, pb := zr["id.orig_p"], zr["id.resp_p"]
	proto := zr["proto"]
	if proto != "tcp" && proto != "udp" {
		pa, pb = "", ""
	}
	return unordered(proto, a, pa, b, pb)
}

func unordered(proto, a, pa, b, pb string) string {
	x, y := a+" "+pa, b+" "+pb
	if y < x {
		x, y = y, x
	}
	return proto + " " + x + " " + y
}

// traceFacts is what a trace shows about its packets, found with
// flowsift's own decoder.
type traceFacts struct {
	// bad counts, per connection, the packets Zeek drops for a bad
	// checksum when it validates them: IPv4 header checksums, TCP, UDP (a
	// zero IPv4 UDP checksum means none) and ICMP checksums of complete,
	// unfragmented packets, at every tunnel level, and IPv4 headers whose
	// total length is 0 (ip/IP.cc, tcp/TCP.cc, udp/UDP.cc, icmp/ICMP.cc
	// in Zeek's src/packet_analysis/protocol).
	bad map[string]int
	// tso sums, per connection, the IP bytes of IPv4 packets whose total
	// length field is 0 (TCP segmentation offload): flowsift counts what
	// was captured, Zeek's ConnSize analyzer adds the header's 0
	// (ConnSize.cc adds ip->TotalLen()).
	tso map[string]int64
	// decap holds the outer headers (by connection) flowsift decoded a
	// tunnel through.
	decap map[string]bool
	// malformed counts, by protocol and addresses, the packets whose
	// TCP or UDP header flowsift's decoder rejects (too short, or cut by
	// the snap length).
	malformed map[string]int
}

func readTraceFacts(t *testing.T, path string) traceFacts {
	t.Helper()
	src, err := capture.Open([]string{path}, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tf := traceFacts{bad: map[string]int{}, tso: map[string]int64{}, decap: map[string]bool{}, malformed: map[string]int{}}
	var dec decode.Decoder
	var p decode.Packet
	for pkt, err := range src.Packets(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		res := dec.Decode(pkt.LinkType, pkt.Data, &p)
		if !res.HasIP() {
			continue
		}
		for i := range p.NumOuter {
			h := &p.Outer[i]
			tf.decap[headerKey(h, h.Proto)] = true
			if !checksumOK(h) {
				tf.bad[headerKey(h, h.Proto)]++
			}
		}
		if res == decode.TruncatedTransport || res == decode.BadTransport {
			tf.malformed[hostsKey(&p.IPHeader, p.Proto)]++
		}
		if res != decode.OK && res != decode.OtherTransport {
			continue
		}
		k := headerKey(&p.IPHeader, p.Proto)
		if !checksumOK(&p.IPHeader) {
			tf.bad[k]++
		}
		if p.Version == 4 && len(p.Raw) >= 4 && binary.BigEndian.Uint16(p.Raw[2:]) == 0 {
			tf.tso[k] += int64(p.TotalLen)
		}
	}
	return tf
}

// zeekProto is conn.log's proto for an IP protocol number.
func zeekProto(proto uint8) string {
	switch proto {
	case decode.ProtoTCP:
		return "tcp"
	case decode.ProtoUDP:
		return "udp"
	case decode.ProtoICMP, decode.ProtoICMPv6:
		return "icmp"
	}
	return "unknown_transport"
}

// hostsKey names a connection by protocol and addresses only.
func hostsKey(h *decode.IPHeader, proto uint8) string {
	return unordered(zeekProto(proto), ipAddr(&h.Src, h.Version), "", ipAddr(&h.Dst, h.Version), "")
}

// headerKey names a packet's connection as unorderedKey does.
func headerKey(h *decode.IPHeader, proto uint8) string {
	if proto != decode.ProtoTCP && proto != decode.ProtoUDP {
		return hostsKey(h, proto)
	}
	return unordered(zeekProto(proto), ipAddr(&h.Src, h.Version), strconv.Itoa(int(h.SrcPort)),
		ipAddr(&h.Dst, h.Version), strconv.Itoa(int(h.DstPort)))
}

func ipAddr(a *decode.Addr, version uint8) string {
	if version == 4 {
		return netip.AddrFrom4([4]byte(a[:4])).String()
	}
	return netip.AddrFrom16(*a).String()
}

// checksumOK verifies one IP header and its transport checksum, when the
// packet is complete enough to check.
func checksumOK(h *decode.IPHeader) bool {
	raw := h.Raw
	if h.Version == 4 {
		if len(raw) < 20 || int(raw[0]&0x0f)*4 > len(raw) {
			return true
		}
		if binary.BigEndian.Uint16(raw[2:]) == 0 {
			return false // TSO zeroed the length: Zeek drops it unless checksums are off (ip/IP.cc)
		}
		if onesSum(0, raw[:int(raw[0]&0x0f)*4]) != 0xffff {
			return false
		}
	}
	if h.Fragment || !h.HasL4 || h.TotalLen > len(raw) || h.HdrLen > h.TotalLen {
		return true
	}
	seg := raw[h.HdrLen:h.TotalLen]
	var pseudo []byte
	if h.Version == 4 {
		pseudo = append(append(append([]byte{}, h.Src[:4]...), h.Dst[:4]...), 0, h.Proto, byte(len(seg)>>8), byte(len(seg)))
	} else {
		pseudo = append(append(append([]byte{}, h.Src[:]...), h.Dst[:]...), byte(len(seg)>>24), byte(len(seg)>>16),
			byte(len(seg)>>8), byte(len(seg)), 0, 0, 0, h.Proto)
	}
	switch h.Proto {
	case decode.ProtoTCP, decode.ProtoICMPv6:
	case decode.ProtoUDP:
		if len(seg) < 8 || h.Version == 4 && binary.BigEndian.Uint16(seg[6:]) == 0 {
			return true
		}
	case decode.ProtoICMP:
		pseudo = nil
	default:
		return true
	}
	return onesSum(onesSum(0, pseudo), seg) == 0xffff
}

// onesSum adds b to a ones' complement sum and folds it to 16 bits.
func onesSum(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return sum
}
