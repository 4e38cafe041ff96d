package rules

import (
	"math"
	"path/filepath"

	"flowsift/extract"
	"flowsift/extract/table"
)

// Hosts interns address strings: detections group by small integers.
type Hosts struct {
	ids   map[string]int32
	Names []string
}

func newHosts() *Hosts { return &Hosts{ids: make(map[string]int32, 1024)} }

// ID returns the id of an address, adding it when new.
func (h *Hosts) ID(s string) int32 {
	if id, ok := h.ids[s]; ok {
		return id
	}
	id := int32(len(h.Names))
	h.ids[s] = id
	h.Names = append(h.Names, s)
	return id
}

// Lookup returns the id of an address that was seen.
func (h *Hosts) Lookup(s string) (int32, bool) {
	id, ok := h.ids[s]
	return id, ok
}

// Flows holds the flow columns the detections read.
type Flows struct {
	N            int
	UID          []string
	TS, TSEnd    []int64 // nanoseconds
	Orig, Resp   []int32 // host ids
	OrigP, RespP []int32
	Proto        []int32 // IP protocol number
	State        []string
	History      []string
	OrigPkts     []int64
	RespPkts     []int64
	OrigPayload  []int64
	RespPayload  []int64
	OrigIPBytes  []int64
	RespIPBytes  []int64
	OrigSYN      []int64
	RespSYN      []int64
	OrigFIN      []int64
	OrigACK      []int64
	OrigRST      []int64
	RespRST      []int64
	ICMPType     []int32   // -1 when null
	OrigPLMean   []float64 // NaN when null
	OrigPLStd    []float64 // NaN when null
	Service      []string
}

// DNS holds the dns.parquet columns the detections read.
type DNS struct {
	N          int
	UID        []string
	Depth      []int64
	TS         []int64
	Orig, Resp []int32
	Query      []string
	QType      []string
	RCode      []string
	Domain     []string // registered domain, "" when null
	LongLabel  []int64
	Entropy    []float64
	Answered   []bool // a response was seen (rcode not null)
}

// HTTP holds the http.parquet columns the detections read.
type HTTP struct {
	N          int
	UID        []string
	Depth      []int64
	TS         []int64
	Orig, Resp []int32
	RespP      []int32
	Method     []string
}

// Data is what the threshold detections run on: the extract tables'
// columns, with addresses interned. DNS and HTTP are nil when their table
// is absent.
type Data struct {
	Hosts     *Hosts
	Flows     Flows
	DNS       *DNS
	HTTP      *HTTP
	CaptureID string
}

var flowColumns = []string{
	"uid", "ts", "ts_end", "orig_h", "resp_h", "orig_p", "resp_p", "ip_proto", "conn_state", "history",
	"orig_pkts", "resp_pkts", "orig_payload_bytes", "resp_payload_bytes", "orig_ip_bytes", "resp_ip_bytes",
	"orig_syn_pkts", "resp_syn_pkts", "orig_fin_pkts", "orig_ack_pkts", "orig_rst_pkts", "resp_rst_pkts", "icmp_type", "orig_pl_mean", "orig_pl_std", "service", "capture_id",
}

// Load reads the tables of an extract output directory.
func Load(dir string) (*Data, error) {
	d := &Data{Hosts: newHosts()}
	f, err := table.Open(filepath.Join(dir, extract.FlowsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := f.Read(flowColumns...)
	if err != nil {
		return nil, err
	}
	d.Flows = flowsOf(t, d.Hosts)
	if c := t.Column("capture_id"); t.Rows > 0 {
		d.CaptureID = c.Strs[0]
	}
	if d.DNS, err = loadDNS(filepath.Join(dir, extract.DNSFile), d.Hosts); err != nil {
		return nil, err
	}
	if d.HTTP, err = loadHTTP(filepath.Join(dir, extract.HTTPFile), d.Hosts); err != nil {
		return nil, err
	}
	return d, nil
}

func flowsOf(t *table.Table, h *Hosts) Flows {
	n := t.Rows
	fl := Flows{
		N:           n,
		UID:         t.Column("uid").Strs,
		TS:          t.Column("ts").Ints,
		TSEnd:       t.Column("ts_end").Ints,
		Orig:        intern(t.Column("orig_h"), h),
		Resp:        intern(t.Column("resp_h"), h),
		OrigP:       ints32(t.Column("orig_p"), 0),
		RespP:       ints32(t.Column("resp_p"), 0),
		Proto:       ints32(t.Column("ip_proto"), 0),
		State:       t.Column("conn_state").Strs,
		History:     t.Column("history").Strs,
		OrigPkts:    t.Column("orig_pkts").Ints,
		RespPkts:    t.Column("resp_pkts").Ints,
		OrigPayload: t.Column("orig_payload_bytes").Ints,
		RespPayload: t.Column("resp_payload_bytes").Ints,
		OrigIPBytes: t.Column("orig_ip_bytes").Ints,
		RespIPBytes: t.Column("resp_ip_bytes").Ints,
		OrigSYN:     t.Column("orig_syn_pkts").Ints,
		RespSYN:     t.Column("resp_syn_pkts").Ints,
		OrigFIN:     t.Column("orig_fin_pkts").Ints,
		OrigACK:     t.Column("orig_ack_pkts").Ints,
		OrigRST:     t.Column("orig_rst_pkts").Ints,
		RespRST:     t.Column("resp_rst_pkts").Ints,
		ICMPType:    ints32(t.Column("icmp_type"), -1),
		OrigPLMean:  floats(t.Column("orig_pl_mean")),
		OrigPLStd:   floats(t.Column("orig_pl_std")),
		Service:     t.Column("service").Strs,
	}
	return fl
}

func loadDNS(path string, h *Hosts) (*DNS, error) {
	t, err := table.ReadOptional(path, "uid", "trans_depth", "ts", "orig_h", "resp_h", "query", "qtype_name", "rcode_name", "registered_domain", "longest_label", "query_entropy")
	if t == nil || err != nil {
		return nil, err
	}
	rc := t.Column("rcode_name")
	answered := make([]bool, t.Rows)
	for i := range answered {
		answered[i] = !rc.IsNull(i)
	}
	return &DNS{
		N: t.Rows, UID: t.Column("uid").Strs, Depth: t.Column("trans_depth").Ints, TS: t.Column("ts").Ints,
		Orig: intern(t.Column("orig_h"), h), Resp: intern(t.Column("resp_h"), h),
		Query: t.Column("query").Strs, QType: t.Column("qtype_name").Strs, RCode: rc.Strs,
		Domain: t.Column("registered_domain").Strs, LongLabel: t.Column("longest_label").Ints,
		Entropy: floats(t.Column("query_entropy")), Answered: answered,
	}, nil
}

func loadHTTP(path string, h *Hosts) (*HTTP, error) {
	t, err := table.ReadOptional(path, "uid", "trans_depth", "ts", "orig_h", "resp_h", "resp_p", "method")
	if t == nil || err != nil {
		return nil, err
	}
	return &HTTP{
		N: t.Rows, UID: t.Column("uid").Strs, Depth: t.Column("trans_depth").Ints, TS: t.Column("ts").Ints,
		Orig: intern(t.Column("orig_h"), h), Resp: intern(t.Column("resp_h"), h),
		RespP: ints32(t.Column("resp_p"), 0), Method: t.Column("method").Strs,
	}, nil
}

func intern(c *table.Column, h *Hosts) []int32 {
	out := make([]int32, c.Len())
	for i, s := range c.Strs {
		out[i] = h.ID(s)
	}
	return out
}

func ints32(c *table.Column, null int32) []int32 {
	out := make([]int32, c.Len())
	for i, v := range c.Ints {
		if c.IsNull(i) {
			out[i] = null
		} else {
			out[i] = int32(v)
		}
	}
	return out
}

func floats(c *table.Column) []float64 {
	out := make([]float64, c.Len())
	for i, v := range c.Floats {
		if c.IsNull(i) {
			out[i] = math.NaN()
		} else {
			out[i] = v
		}
	}
	return out
}
