package dns

import "time"

// DefaultMaxPending is the default of [Config.MaxPending].
const DefaultMaxPending = 128

// Config configures a [Pairer].
type Config struct {
	// MaxPending bounds the unmatched queries and responses a Pairer holds;
	// when one more arrives, the oldest is emitted unmatched. Zero means
	// DefaultMaxPending.
	MaxPending int
	// NoPairing emits every message as a transaction of its own. Zeek does
	// this for flows to multicast addresses (mDNS, LLMNR), whose answers
	// arrive on other flows.
	NoPairing bool
}

// Transaction is one dns.parquet row: a query and its response, or either
// alone. Pointer fields are nil where the table writes null. A Transaction
// handed to the emit function belongs to the callee.
type Transaction struct {
	// TS is the query time in Unix nanoseconds, or the response's for a
	// response without a query.
	TS int64
	// TransID is the DNS message id.
	TransID uint16
	// RTT is the time from query to response; nil when either is missing or
	// the response was captured before the query.
	RTT *time.Duration

	Query      *string
	QClass     *uint16
	QClassName *string
	QType      *uint16
	QTypeName  *string
	// Metrics describes Query; nil when Query is.
	Metrics *Metrics

	Rcode     *uint8
	RcodeName *string

	// The header flags of the response, or of the query when unanswered.
	AA, TC, RD, RA bool
	Z              uint8

	// Answers and TTLs hold the answer records Zeek logs, in order; nil
	// when no response was seen, empty when the response had none.
	Answers []string
	TTLs    []uint32
	// Rejected follows Zeek: a response carrying a question but no records
	// at all, or an error rcode without a question.
	Rejected bool

	Opcode     uint8
	OpcodeName string

	// SawQuery and SawResponse say which messages the row is made of.
	SawQuery    bool
	SawResponse bool

	// v backs the pointer fields above so that one allocation holds the
	// whole row; the pointers stay valid when a Transaction is copied.
	v struct {
		rtt                   time.Duration
		query, qcname, qtname string
		rcname                string
		qclass, qtype         uint16
		rcode                 uint8
		metrics               Metrics
	}
}

// Pairer turns the DNS messages of one flow into transactions, pairing them
// as Zeek's dns/main.zeek does. It is not safe for concurrent use.
type Pairer struct {
	max     int
	noPair  bool
	emit    func(*Transaction)
	pending []pendingMsg
	counts  Counts
}

type pendingMsg struct {
	t     *Transaction
	reply bool
}

// NewPairer returns a Pairer that hands each completed transaction to emit.
func NewPairer(cfg Config, emit func(*Transaction)) *Pairer {
	p := &Pairer{max: cfg.MaxPending, noPair: cfg.NoPairing, emit: emit}
	if p.max <= 0 {
		p.max = DefaultMaxPending
	}
	return p
}

// Problems returns the problems counted so far.
func (p *Pairer) Problems() *Counts { return &p.counts }

// tracked reports whether Zeek logs messages with this opcode.
func tracked(op uint8) bool { return op == opQuery || op == opNotify || op == opUpdate }

// Message routes m to Query or Response by its QR bit.
func (p *Pairer) Message(m *Message, ts int64) {
	if m.QR {
		p.Response(m, ts)
	} else {
		p.Query(m, ts)
	}
}

// Query records a query seen at ts (Unix nanoseconds).
func (p *Pairer) Query(m *Message, ts int64) {
	if !tracked(m.Opcode) {
		p.counts.Add(ErrOpcodeIgnored)
		return
	}
	if p.noPair {
		t := &Transaction{TS: ts}
		t.fromQuery(m)
		p.emit(t)
		return
	}
	for i, pm := range p.pending {
		if pm.reply && pm.t.TransID == m.ID {
			// The response was captured first; the row is the query's.
			t := pm.t
			t.TS = ts
			t.fromQuery(m)
			t.RTT = nil
			p.remove(i)
			p.emit(t)
			return
		}
	}
	t := &Transaction{TS: ts}
	t.fromQuery(m)
	p.push(pendingMsg{t: t})
}

// Response records a response seen at ts (Unix nanoseconds).
func (p *Pairer) Response(m *Message, ts int64) {
	if !tracked(m.Opcode) {
		p.counts.Add(ErrOpcodeIgnored)
		return
	}
	if p.noPair {
		t := &Transaction{TS: ts}
		t.fromResponse(m, ts)
		p.emit(t)
		return
	}
	for i, pm := range p.pending {
		if !pm.reply && pm.t.TransID == m.ID {
			t := pm.t
			t.fromResponse(m, ts)
			p.remove(i)
			p.emit(t)
			return
		}
	}
	t := &Transaction{TS: ts}
	t.fromResponse(m, ts)
	p.push(pendingMsg{t: t, reply: true})
}

// Flush emits every pending message unmatched, oldest first. Call it when
// the flow ends.
func (p *Pairer) Flush() {
	for _, pm := range p.pending {
		p.emit(pm.t)
	}
	clear(p.pending)
	p.pending = p.pending[:0]
}

func (p *Pairer) push(pm pendingMsg) {
	if len(p.pending) >= p.max {
		p.counts.Add(ErrPendingOverflow)
		old := p.pending[0].t
		p.remove(0)
		p.emit(old)
	}
	p.pending = append(p.pending, pm)
}

func (p *Pairer) remove(i int) {
	copy(p.pending[i:], p.pending[i+1:])
	p.pending[len(p.pending)-1] = pendingMsg{}
	p.pending = p.pending[:len(p.pending)-1]
}

func (t *Transaction) setQuestion(name, raw []byte, qtype, qclass uint16) {
	t.v.query = string(name)
	t.Query = &t.v.query
	t.v.qtype, t.v.qclass = qtype, qclass
	t.QType, t.QClass = &t.v.qtype, &t.v.qclass
	t.v.qtname, t.v.qcname = QTypeName(qtype), QClassName(qclass)
	t.QTypeName, t.QClassName = &t.v.qtname, &t.v.qcname
	t.v.metrics = NameMetrics(raw)
	t.Metrics = &t.v.metrics
}

func (t *Transaction) flags(m *Message) {
	t.TransID = m.ID
	t.AA, t.TC, t.RD, t.RA, t.Z = m.AA, m.TC, m.RD, m.RA, m.Z
	t.Opcode = m.Opcode
	t.OpcodeName = OpcodeName(m.Opcode)
}

func (t *Transaction) fromQuery(m *Message) {
	t.SawQuery = true
	if !t.SawResponse {
		t.flags(m)
	}
	if m.HasQuestion {
		t.setQuestion(m.Query, m.RawQuery, m.QType, m.QClass)
	}
}

func (t *Transaction) fromResponse(m *Message, ts int64) {
	if t.SawQuery {
		t.v.rtt = time.Duration(ts - t.TS)
		if t.v.rtt >= 0 {
			t.RTT = &t.v.rtt
		}
	}
	t.SawResponse = true
	t.flags(m)
	t.v.rcode = m.Rcode
	t.Rcode = &t.v.rcode
	t.v.rcname = RcodeName(uint16(m.Rcode))
	t.RcodeName = &t.v.rcname
	t.Rejected = (m.HasQuestion && m.ANCount == 0 && m.NSCount == 0 && m.ARCount == 0) ||
		(m.Rcode != 0 && m.QDCount == 0)

	if t.Query == nil {
		switch {
		case m.HasQuestion:
			t.setQuestion(m.Query, m.RawQuery, m.QType, m.QClass)
		case len(m.Answers) > 0:
			// Zeek names the row after the first answer's owner.
			a := m.Answers[0].Name
			t.v.query = string(a)
			t.Query = &t.v.query
			t.v.metrics = NameMetrics(a)
			t.Metrics = &t.v.metrics
		}
	}

	n := 0
	for _, a := range m.Answers {
		if len(a.Text) > 0 {
			n++
		}
	}
	t.Answers = make([]string, 0, n)
	t.TTLs = make([]uint32, 0, n)
	for _, a := range m.Answers {
		if len(a.Text) > 0 {
			t.Answers = append(t.Answers, string(a.Text))
			t.TTLs = append(t.TTLs, a.TTL)
		}
	}
}
