package train

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"flowsift/extract"
	"flowsift/extract/table"
	"flowsift/features"
)

// Benign is the class of flows no label marks as an attack, and Malicious
// the single attack class of a binary model.
const (
	Benign    = "benign"
	Malicious = "malicious"
)

// ErrLabels is returned for a labels file that cannot be used.
var ErrLabels = errors.New("train: invalid labels")

// Labels assigns a class to every flow of an extract output. Exact flow
// labels (a generator's ground truth) take precedence over rules (an
// attacker address and a time window), and rules over Default.
type Labels struct {
	Flows []FlowLabel
	Rules []LabelRule
	// Default is the class of flows nothing matches (Benign when "").
	Default string
}

// FlowLabel labels one connection by its five-tuple and the time span of
// its packets. A flow row matches when its key is the same (either
// direction) and its first packet lies within [Start-1s, End+1s]: a
// connection split by flow timeouts keeps its label in every segment.
type FlowLabel struct {
	Proto        string // tcp, udp, icmp
	OrigH, RespH string
	OrigP, RespP int
	Start, End   int64 // nanoseconds since the epoch
	Label        string
}

// LabelRule labels the flows between an attacker and a victim in a time
// window. An unset prefix matches any address; Start and End of 0 leave
// the window open on that side. A flow matches when one endpoint is in
// Attacker and the other in Victim, and its first packet is in the window.
type LabelRule struct {
	Label      string
	Attacker   netip.Prefix
	Victim     netip.Prefix
	Start, End int64
	// Line is the rule's line in its file, for the record.
	Line int
}

// labelSlack widens a flow label's span: the flow table and the generator
// agree on packet times, but a labels file written by hand may round them.
const labelSlack = int64(time.Second)

type flowKey struct {
	proto, a, b string
	pa, pb      int
}

// Apply labels every row of s, which was built from the extract output
// directory dir, and returns the number of rows each source labelled.
func (l *Labels) Apply(dir string, s *features.Set) (LabelCounts, error) {
	var n LabelCounts
	byUID, err := l.flowLabels(dir, &n)
	if err != nil {
		return n, err
	}
	def := l.Default
	if def == "" {
		def = Benign
	}
	s.Label = make([]string, s.Rows())
	s.LabelDetail = make([]string, s.Rows())
	for i, uid := range s.UID {
		if lab, ok := byUID[uid]; ok {
			s.Label[i], s.LabelDetail[i] = lab.label, lab.detail
			continue
		}
		s.Label[i], s.LabelDetail[i] = def, "default"
		n.Default++
	}
	return n, nil
}

// LabelCounts reports how many flows each label source decided.
type LabelCounts struct {
	Flows   int // exact flow labels
	Rules   int // label rules
	Default int // nothing matched
	// Unmatched counts exact flow labels that matched no flow row.
	Unmatched int
}

type decided struct{ label, detail string }

// flowLabels reads dir's flows and decides the label of each flow that a
// flow label or a rule matches.
func (l *Labels) flowLabels(dir string, n *LabelCounts) (map[string]decided, error) {
	out := map[string]decided{}
	if len(l.Flows) == 0 && len(l.Rules) == 0 {
		return out, nil
	}
	f, err := table.Open(filepath.Join(dir, extract.FlowsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := f.Read("uid", "ts", "proto", "orig_h", "orig_p", "resp_h", "resp_p")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	uid, ts, proto := t.Column("uid").Strs, t.Column("ts").Ints, t.Column("proto").Strs
	oh, rh := t.Column("orig_h").Strs, t.Column("resp_h").Strs
	op, rp := t.Column("orig_p"), t.Column("resp_p")
	port := func(c *table.Column, i int) int {
		if c.IsNull(i) {
			return -1
		}
		return int(c.Ints[i])
	}
	exact := map[flowKey][]int{}
	for i, fl := range l.Flows {
		k := flowKey{fl.Proto, fl.OrigH, fl.RespH, fl.OrigP, fl.RespP}
		exact[k] = append(exact[k], i)
	}
	used := make([]bool, len(l.Flows))
	addrs := map[string]netip.Addr{}
	addr := func(s string) netip.Addr {
		a, ok := addrs[s]
		if !ok {
			a, _ = netip.ParseAddr(s)
			addrs[s] = a
		}
		return a
	}
	for i := range t.Rows {
		k := flowKey{proto[i], oh[i], rh[i], port(op, i), port(rp, i)}
		cands := exact[k]
		if len(cands) == 0 {
			cands = exact[flowKey{k.proto, k.b, k.a, k.pb, k.pa}]
		}
		if j, ok := l.matchFlow(cands, ts[i]); ok {
			out[uid[i]] = decided{l.Flows[j].Label, "flow"}
			used[j] = true
			n.Flows++
			continue
		}
		if r, ok := l.matchRule(addr(oh[i]), addr(rh[i]), ts[i]); ok {
			out[uid[i]] = decided{l.Rules[r].Label, "rule line " + strconv.Itoa(l.Rules[r].Line)}
			n.Rules++
		}
	}
	for _, u := range used {
		if !u {
			n.Unmatched++
		}
	}
	return out, nil
}

func (l *Labels) matchFlow(cands []int, ts int64) (int, bool) {
	for _, j := range cands {
		fl := &l.Flows[j]
		if ts >= fl.Start-labelSlack && ts <= fl.End+labelSlack {
			return j, true
		}
	}
	return 0, false
}

func (l *Labels) matchRule(a, b netip.Addr, ts int64) (int, bool) {
	for r := range l.Rules {
		rule := &l.Rules[r]
		if rule.Start != 0 && ts < rule.Start || rule.End != 0 && ts > rule.End {
			continue
		}
		if in(rule.Attacker, a) && in(rule.Victim, b) || in(rule.Attacker, b) && in(rule.Victim, a) {
			return r, true
		}
	}
	return 0, false
}

// in reports whether a is in p; an unset prefix holds every address.
func in(p netip.Prefix, a netip.Addr) bool {
	return !p.IsValid() || p.Contains(a.Unmap())
}

// ReadLabelRules reads a labels file: tab- or comma-separated lines of
//
//	label  attacker  victim  start  end
//
// where attacker and victim are an address, a CIDR prefix or "*" (any),
// and start and end are RFC 3339 times or "*" (open). Columns after the
// fifth are ignored, as are blank lines, lines starting with "#", and a
// first line starting with "label" (a header).
func ReadLabelRules(path string) ([]LabelRule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rules []LabelRule
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") || line == 1 && strings.HasPrefix(strings.ToLower(text), "label") {
			continue
		}
		sep := "\t"
		if !strings.Contains(text, "\t") {
			sep = ","
		}
		fields := strings.Split(text, sep)
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if len(fields) < 5 {
			return nil, fmt.Errorf("%w: %s:%d: %d columns, want label, attacker, victim, start, end", ErrLabels, path, line, len(fields))
		}
		r := LabelRule{Label: fields[0], Line: line}
		if r.Label == "" {
			return nil, fmt.Errorf("%w: %s:%d: empty label", ErrLabels, path, line)
		}
		if r.Attacker, err = anyPrefix(fields[1]); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: attacker: %v", ErrLabels, path, line, err)
		}
		if r.Victim, err = anyPrefix(fields[2]); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: victim: %v", ErrLabels, path, line, err)
		}
		if r.Start, err = anyTime(fields[3]); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: start: %v", ErrLabels, path, line, err)
		}
		if r.End, err = anyTime(fields[4]); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: end: %v", ErrLabels, path, line, err)
		}
		if r.Start != 0 && r.End != 0 && r.End < r.Start {
			return nil, fmt.Errorf("%w: %s:%d: end before start", ErrLabels, path, line)
		}
		if !r.Attacker.IsValid() && !r.Victim.IsValid() && r.Start == 0 && r.End == 0 {
			return nil, fmt.Errorf("%w: %s:%d: the rule matches every flow (use --malicious for a capture whose flows are all attacks)", ErrLabels, path, line)
		}
		rules = append(rules, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrLabels, path, err)
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("%w: %s has no rules", ErrLabels, path)
	}
	return rules, nil
}

func anyPrefix(s string) (netip.Prefix, error) {
	if s == "*" || s == "-" || s == "" {
		return netip.Prefix{}, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func anyTime(s string) (int64, error) {
	if s == "*" || s == "-" || s == "" {
		return 0, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, err
	}
	return t.UnixNano(), nil
}

// Classes maps labels to class indices. Binary problems collapse every
// label other than Benign into Malicious; multi-class ones keep the labels,
// Benign first and the rest sorted.
func Classes(labels []string, multiclass bool) (classes []string, y []int) {
	if !multiclass {
		y = make([]int, len(labels))
		for i, l := range labels {
			if l != Benign {
				y[i] = 1
			}
		}
		return []string{Benign, Malicious}, y
	}
	seen := map[string]bool{Benign: true}
	for _, l := range labels {
		if !seen[l] {
			seen[l] = true
			classes = append(classes, l)
		}
	}
	slices.Sort(classes)
	classes = append([]string{Benign}, classes...)
	idx := map[string]int{}
	for i, c := range classes {
		idx[c] = i
	}
	y = make([]int, len(labels))
	for i, l := range labels {
		y[i] = idx[l]
	}
	return classes, y
}
