package features

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"flowsift/extract"
	"flowsift/extract/table"
)

// Config chooses optional features.
type Config struct {
	// Shortcuts adds identity and lab-fingerprint fields (ports, TTLs,
	// initial windows, MSS) for ablation studies. Off by default: models
	// that learn them learn the lab, not the attack.
	Shortcuts bool `json:"shortcuts"`
	// HostWindow is the width of the per-host aggregate windows.
	HostWindowSeconds int `json:"host_window_s"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config { return Config{HostWindowSeconds: 60} }

// Validate reports an unusable setting.
func (c Config) Validate() error {
	if c.HostWindowSeconds < 1 {
		return fmt.Errorf("features: host window %d s must be at least 1", c.HostWindowSeconds)
	}
	return nil
}

var nan = float32(math.NaN())

// conn_state values in Zeek's order.
var connStates = []string{"S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"}

// history letters whose presence is a feature.
var historyLetters = []byte("ShADFRTWadfrtw^")

const spltFeatures = 10

// flowInputs are the flows.parquet columns the features read.
var flowInputs = []string{
	"uid", "capture_id", "ts", "orig_h", "resp_h", "orig_p", "resp_p", "ip_proto", "duration", "span_us",
	"orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes", "orig_payload_bytes", "resp_payload_bytes",
	"orig_data_pkts", "resp_data_pkts",
	"bi_ps_min", "bi_ps_max", "bi_ps_mean", "bi_ps_std", "orig_ps_mean", "orig_ps_std", "resp_ps_mean", "resp_ps_std",
	"bi_pl_mean", "bi_pl_std", "orig_pl_mean", "orig_pl_max", "orig_pl_std", "resp_pl_mean", "resp_pl_max", "resp_pl_std",
	"bi_iat_min_us", "bi_iat_max_us", "bi_iat_mean_us", "bi_iat_std_us", "orig_iat_mean_us", "resp_iat_mean_us",
	"orig_syn_pkts", "orig_fin_pkts", "orig_rst_pkts", "orig_psh_pkts", "orig_ack_pkts", "orig_urg_pkts",
	"resp_syn_pkts", "resp_fin_pkts", "resp_rst_pkts", "resp_psh_pkts", "resp_ack_pkts",
	"conn_state", "history", "orig_retrans_pkts", "resp_retrans_pkts", "orig_zero_win_pkts", "resp_zero_win_pkts",
	"missed_bytes", "active_mean_us", "idle_mean_us", "subflow_count", "orig_bulk_bytes", "resp_bulk_bytes",
	"splt_dir", "splt_len", "splt_iat_us", "service", "dup_pkts", "frag_pkts",
	"orig_ttl_min", "resp_ttl_min", "orig_init_win", "resp_init_win", "orig_mss", "resp_mss",
}

// Build computes the feature set of an extract output directory.
func Build(dir string, cfg Config) (*Set, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f, err := table.Open(filepath.Join(dir, extract.FlowsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := f.Read(flowInputs...)
	if err != nil {
		return nil, err
	}
	b := &builder{cfg: cfg, t: t, n: t.Rows}
	b.index = make(map[string]int, t.Rows)
	for i, u := range t.Column("uid").Strs {
		b.index[u] = i
	}
	if err := b.protocolTables(dir); err != nil {
		return nil, err
	}
	b.flowFeatures()
	b.hostFeatures()
	s := &Set{
		Schema:    Schema{Version: versionFor(cfg), Names: b.names},
		UID:       t.Column("uid").Strs,
		CaptureID: t.Column("capture_id").Strs,
		TS:        t.Column("ts").Ints,
		OrigH:     t.Column("orig_h").Strs,
		RespH:     t.Column("resp_h").Strs,
		X:         b.cols,
	}
	return s, nil
}

// SchemaFor returns the schema Build produces with cfg. Its version names
// the feature code and every non-default setting, so a model trained on
// vectors built one way refuses vectors built another way.
func SchemaFor(cfg Config) Schema {
	return Schema{Version: versionFor(cfg), Names: Names(cfg)}
}

func versionFor(cfg Config) string {
	v := SchemaVersion
	if cfg.Shortcuts {
		v += "+shortcuts"
	}
	if cfg.HostWindowSeconds != DefaultConfig().HostWindowSeconds {
		v += fmt.Sprintf("+window=%ds", cfg.HostWindowSeconds)
	}
	return v
}

// ConfigFor returns the Config that builds vectors of schema s (a model's
// schema), or an error wrapping ErrSchema when this code cannot.
func ConfigFor(s Schema) (Config, error) {
	cfg := DefaultConfig()
	rest, ok := strings.CutPrefix(s.Version, SchemaVersion)
	if !ok {
		return cfg, fmt.Errorf("%w: version %q, this build computes %q", ErrSchema, s.Version, SchemaVersion)
	}
	for opt := range strings.SplitSeq(rest, "+") {
		switch {
		case opt == "":
		case opt == "shortcuts":
			cfg.Shortcuts = true
		case strings.HasPrefix(opt, "window=") && strings.HasSuffix(opt, "s"):
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(opt, "window="), "s"))
			if err != nil || n < 1 {
				return cfg, fmt.Errorf("%w: bad window in version %q", ErrSchema, s.Version)
			}
			cfg.HostWindowSeconds = n
		default:
			return cfg, fmt.Errorf("%w: unknown option %q in version %q", ErrSchema, opt, s.Version)
		}
	}
	if err := SchemaFor(cfg).Equal(s); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Names returns the feature names Build produces with cfg, without data.
func Names(cfg Config) []string {
	b := &builder{cfg: cfg, dryRun: true}
	b.flowFeatures()
	b.hostFeatures()
	return b.names
}

type builder struct {
	cfg    Config
	t      *table.Table
	n      int
	index  map[string]int
	names  []string
	cols   [][]float32
	dryRun bool
	dns    *perFlow
	http   *perFlow
	tls    *perFlow
}

// add appends a feature column computed row by row.
func (b *builder) add(name string, f func(i int) float32) {
	b.names = append(b.names, name)
	if b.dryRun {
		return
	}
	col := make([]float32, b.n)
	for i := range col {
		col[i] = f(i)
	}
	b.cols = append(b.cols, col)
}

// num returns a numeric column as a getter that gives NaN for nulls.
func (b *builder) num(name string) func(i int) float32 {
	if b.dryRun {
		return nil
	}
	c := b.t.Column(name)
	switch c.Kind {
	case table.Float64:
		return func(i int) float32 {
			if c.IsNull(i) {
				return nan
			}
			return float32(c.Floats[i])
		}
	default:
		return func(i int) float32 {
			if c.IsNull(i) {
				return nan
			}
			return float32(c.Ints[i])
		}
	}
}

func (b *builder) copyNum(names ...string) {
	for _, n := range names {
		b.add(n, b.num(n))
	}
}

func ratio(a, b float32) float32 {
	if b == 0 || math.IsNaN(float64(a)) || math.IsNaN(float64(b)) {
		return nan
	}
	return a / b
}

func boolf(v bool) float32 {
	if v {
		return 1
	}
	return 0
}

func (b *builder) flowFeatures() {
	proto := b.num("ip_proto")
	b.add("proto_tcp", func(i int) float32 { return boolf(proto(i) == 6) })
	b.add("proto_udp", func(i int) float32 { return boolf(proto(i) == 17) })
	b.add("proto_icmp", func(i int) float32 { return boolf(proto(i) == 1 || proto(i) == 58) })
	b.copyNum("duration")
	span := b.num("span_us")
	b.add("span_s", func(i int) float32 { return span(i) / 1e6 })
	b.copyNum("orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes", "orig_payload_bytes", "resp_payload_bytes", "orig_data_pkts", "resp_data_pkts")
	op, rp, ob, rb := b.num("orig_pkts"), b.num("resp_pkts"), b.num("orig_ip_bytes"), b.num("resp_ip_bytes")
	b.add("resp_pkt_share", func(i int) float32 { return ratio(rp(i), op(i)+rp(i)) })
	b.add("resp_byte_share", func(i int) float32 { return ratio(rb(i), ob(i)+rb(i)) })
	b.add("pkts_per_s", func(i int) float32 { return ratio(op(i)+rp(i), span(i)/1e6) })
	b.add("bytes_per_s", func(i int) float32 { return ratio(ob(i)+rb(i), span(i)/1e6) })
	b.copyNum("bi_ps_min", "bi_ps_max", "bi_ps_mean", "bi_ps_std", "orig_ps_mean", "orig_ps_std", "resp_ps_mean", "resp_ps_std",
		"bi_pl_mean", "bi_pl_std", "orig_pl_mean", "orig_pl_max", "orig_pl_std", "resp_pl_mean", "resp_pl_max", "resp_pl_std",
		"bi_iat_min_us", "bi_iat_max_us", "bi_iat_mean_us", "bi_iat_std_us", "orig_iat_mean_us", "resp_iat_mean_us",
		"orig_syn_pkts", "orig_fin_pkts", "orig_rst_pkts", "orig_psh_pkts", "orig_ack_pkts", "orig_urg_pkts",
		"resp_syn_pkts", "resp_fin_pkts", "resp_rst_pkts", "resp_psh_pkts", "resp_ack_pkts")
	var state, hist *table.Column
	if !b.dryRun {
		state, hist = b.t.Column("conn_state"), b.t.Column("history")
	}
	for _, s := range connStates {
		b.add("state_"+s, func(i int) float32 { return boolf(!state.IsNull(i) && state.Strs[i] == s) })
	}
	for _, l := range historyLetters {
		name := "hist_" + string(l)
		switch {
		case l == '^':
			name = "hist_flip"
		case l >= 'a':
			name = "hist_resp_" + string(l-'a'+'A')
		}
		b.add(name, func(i int) float32 { return boolf(!hist.IsNull(i) && strings.IndexByte(hist.Strs[i], l) >= 0) })
	}
	b.copyNum("orig_retrans_pkts", "resp_retrans_pkts", "orig_zero_win_pkts", "resp_zero_win_pkts", "missed_bytes",
		"active_mean_us", "idle_mean_us", "subflow_count", "orig_bulk_bytes", "resp_bulk_bytes", "dup_pkts", "frag_pkts")
	b.spltFeatures()
	var svc *table.Column
	if !b.dryRun {
		svc = b.t.Column("service")
	}
	for _, name := range []string{"dns", "http", "ssl", "ssh", "ntp"} {
		b.add("service_"+name, func(i int) float32 {
			return boolf(!svc.IsNull(i) && slices.Contains(strings.Split(svc.Strs[i], ","), name))
		})
	}
	b.add("service_none", func(i int) float32 { return boolf(svc.IsNull(i)) })
	rport := b.num("resp_p")
	b.add("resp_port_wellknown", func(i int) float32 { return boolf(rport(i) < 1024) })
	b.add("resp_port_ephemeral", func(i int) float32 { return boolf(rport(i) >= 49152) })
	b.protocolFeatures()
	if b.cfg.Shortcuts {
		b.copyNum("orig_p", "resp_p", "orig_ttl_min", "resp_ttl_min", "orig_init_win", "resp_init_win", "orig_mss", "resp_mss")
	}
}

// spltFeatures: the first packets' IP lengths, signed by direction
// (negative from the responder), and the gaps before them.
func (b *builder) spltFeatures() {
	var dir, ln, iat *table.Column
	if !b.dryRun {
		dir, ln, iat = b.t.Column("splt_dir"), b.t.Column("splt_len"), b.t.Column("splt_iat_us")
	}
	for k := range spltFeatures {
		b.add(fmt.Sprintf("splt_len_%d", k), func(i int) float32 {
			lo, hi := ln.Span(i)
			if lo+k >= hi {
				return nan
			}
			v := float32(ln.Ints[lo+k])
			if d0, _ := dir.Span(i); dir.Ints[d0+k] == 1 {
				v = -v
			}
			return v
		})
	}
	for k := 1; k < spltFeatures; k++ {
		b.add(fmt.Sprintf("splt_iat_%d", k), func(i int) float32 {
			lo, hi := iat.Span(i)
			if lo+k >= hi {
				return nan
			}
			return float32(iat.Ints[lo+k])
		})
	}
}

// perFlow holds protocol-record summaries per flow row.
type perFlow struct {
	n    []float32
	vals map[string][]float32 // feature name -> per flow row (sum, later divided by n where a mean)
}

func newPerFlow(n int) *perFlow { return &perFlow{n: make([]float32, n), vals: map[string][]float32{}} }

func (p *perFlow) add(row int, name string, v float32) {
	c := p.vals[name]
	if c == nil {
		c = make([]float32, len(p.n))
		p.vals[name] = c
	}
	c[row] += v
}

func (p *perFlow) mean(name string, row int) float32 {
	if p == nil || p.n[row] == 0 {
		return nan
	}
	c := p.vals[name]
	if c == nil {
		return 0
	}
	return c[row] / p.n[row]
}

func (p *perFlow) max(name string, row int) float32 {
	if p == nil || p.n[row] == 0 {
		return nan
	}
	if c := p.vals[name]; c != nil {
		return c[row]
	}
	return 0
}

func (p *perFlow) setMax(row int, name string, v float32) {
	c := p.vals[name]
	if c == nil {
		c = make([]float32, len(p.n))
		p.vals[name] = c
	}
	c[row] = max(c[row], v)
}

func (b *builder) protocolTables(dir string) error {
	var err error
	if b.dns, err = b.summarise(filepath.Join(dir, extract.DNSFile), []string{"uid", "query_length", "label_count", "longest_label", "query_entropy", "rcode_name", "qtype_name", "answers"}, func(p *perFlow, t *table.Table, r, row int) {
		p.add(row, "query_length", float32(t.Column("query_length").Ints[r]))
		p.add(row, "label_count", float32(t.Column("label_count").Ints[r]))
		p.setMax(row, "longest_label", float32(t.Column("longest_label").Ints[r]))
		if e := t.Column("query_entropy"); !e.IsNull(r) {
			p.add(row, "entropy", float32(e.Floats[r]))
		}
		rc := t.Column("rcode_name")
		p.add(row, "unanswered", boolf(rc.IsNull(r)))
		p.add(row, "nxdomain", boolf(!rc.IsNull(r) && rc.Strs[r] == "NXDOMAIN"))
		q := t.Column("qtype_name")
		p.add(row, "txt", boolf(!q.IsNull(r) && (q.Strs[r] == "TXT" || q.Strs[r] == "NULL")))
		lo, hi := t.Column("answers").Span(r)
		p.add(row, "answers", float32(hi-lo))
	}); err != nil {
		return err
	}
	if b.http, err = b.summarise(filepath.Join(dir, extract.HTTPFile), []string{"uid", "uri", "status_code", "request_body_len", "response_body_len", "user_agent", "method"}, func(p *perFlow, t *table.Table, r, row int) {
		if u := t.Column("uri"); !u.IsNull(r) {
			p.add(row, "uri_len", float32(len(u.Strs[r])))
		}
		if s := t.Column("status_code"); !s.IsNull(r) {
			p.add(row, "status_4xx", boolf(s.Ints[r] >= 400 && s.Ints[r] < 500))
			p.add(row, "status_5xx", boolf(s.Ints[r] >= 500))
		}
		if v := t.Column("request_body_len"); !v.IsNull(r) {
			p.add(row, "req_body", float32(v.Ints[r]))
		}
		if v := t.Column("response_body_len"); !v.IsNull(r) {
			p.add(row, "resp_body", float32(v.Ints[r]))
		}
		p.add(row, "no_ua", boolf(t.Column("user_agent").IsNull(r)))
		m := t.Column("method")
		p.add(row, "get", boolf(!m.IsNull(r) && m.Strs[r] == "GET"))
		p.add(row, "post", boolf(!m.IsNull(r) && m.Strs[r] == "POST"))
	}); err != nil {
		return err
	}
	b.tls, err = b.summarise(filepath.Join(dir, extract.TLSFile), []string{"uid", "server_name", "client_ciphers", "client_extensions", "version", "established"}, func(p *perFlow, t *table.Table, r, row int) {
		p.add(row, "sni", boolf(!t.Column("server_name").IsNull(r)))
		lo, hi := t.Column("client_ciphers").Span(r)
		p.add(row, "ciphers", float32(hi-lo))
		lo, hi = t.Column("client_extensions").Span(r)
		p.add(row, "extensions", float32(hi-lo))
		v := t.Column("version")
		p.add(row, "tls13", boolf(!v.IsNull(r) && v.Strs[r] == "TLSv13"))
		e := t.Column("established")
		p.add(row, "established", boolf(!e.IsNull(r) && e.Bools[r]))
	})
	return err
}

// summarise reads a protocol table (absent: nil) and folds its records
// into per-flow sums.
func (b *builder) summarise(path string, cols []string, fold func(p *perFlow, t *table.Table, r, row int)) (*perFlow, error) {
	t, err := table.ReadOptional(path, cols...)
	if t == nil || err != nil {
		return nil, err
	}
	p := newPerFlow(b.n)
	uids := t.Column("uid")
	for r := range t.Rows {
		row, ok := b.index[uids.Strs[r]]
		if !ok {
			continue
		}
		p.n[row]++
		fold(p, t, r, row)
	}
	return p, nil
}

func (b *builder) protocolFeatures() {
	count := func(p **perFlow) func(i int) float32 {
		return func(i int) float32 {
			if *p == nil {
				return 0
			}
			return (*p).n[i]
		}
	}
	mean := func(p **perFlow, name string) func(i int) float32 {
		return func(i int) float32 { return (*p).mean(name, i) }
	}
	b.add("dns_records", count(&b.dns))
	for _, n := range []string{"query_length", "label_count", "entropy", "unanswered", "nxdomain", "txt", "answers"} {
		b.add("dns_"+n+"_mean", mean(&b.dns, n))
	}
	b.add("dns_longest_label_max", func(i int) float32 { return b.dns.max("longest_label", i) })
	b.add("http_requests", count(&b.http))
	for _, n := range []string{"uri_len", "status_4xx", "status_5xx", "req_body", "resp_body", "no_ua", "get", "post"} {
		b.add("http_"+n+"_mean", mean(&b.http, n))
	}
	b.add("tls_handshakes", count(&b.tls))
	for _, n := range []string{"sni", "ciphers", "extensions", "tls13", "established"} {
		b.add("tls_"+n+"_mean", mean(&b.tls, n))
	}
}
