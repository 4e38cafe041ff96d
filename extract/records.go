package extract

import (
	"path/filepath"

	"flowsift/extract/decode"
	"flowsift/extract/flow"
	"flowsift/extract/proto/dns"
	"flowsift/extract/proto/http"
	"flowsift/extract/proto/tls"
)

// records drives the protocol parsers and writes their tables.
type records struct {
	fctx     *flowContext
	dns      *tableWriter[DNSRow]
	http     *tableWriter[HTTPRow]
	tls      *tableWriter[TLSRow]
	msg      dns.Message
	problems map[string]int64
}

func newRecords(out, version string, meta map[string]string, fctx *flowContext) (*records, error) {
	rc := &records{fctx: fctx, problems: map[string]int64{}}
	var err error
	if rc.dns, err = newTableWriter[DNSRow](filepath.Join(out, DNSFile), version, meta); err != nil {
		return nil, err
	}
	if rc.http, err = newTableWriter[HTTPRow](filepath.Join(out, HTTPFile), version, meta); err != nil {
		rc.dns.abort()
		return nil, err
	}
	if rc.tls, err = newTableWriter[TLSRow](filepath.Join(out, TLSFile), version, meta); err != nil {
		rc.dns.abort()
		rc.http.abort()
		return nil, err
	}
	return rc, nil
}

func (rc *records) commit() error {
	for _, w := range []interface{ commit() error }{rc.dns, rc.http, rc.tls} {
		if err := w.commit(); err != nil {
			return err
		}
	}
	return nil
}

func (rc *records) abort() {
	rc.dns.abort()
	rc.http.abort()
	rc.tls.abort()
}

// appFor returns the flow's application state, creating it on first use.
func appFor(f *flow.Flow) *appState {
	if s, ok := f.Ext.(*appState); ok {
		return s
	}
	s := &appState{}
	f.Ext = s
	return s
}

// packet hands a packet's payload to the flow's parsers.
func (rc *records) packet(info flow.PacketInfo, p *decode.Packet, ts int64) {
	f := info.Flow
	s := appFor(f)
	bit := sniff(s, f, p.Proto, info.FromOrig, p.SrcPort, p.DstPort, p.Payload)
	switch p.Proto {
	case decode.ProtoUDP:
		switch {
		case isDNSPort(p.SrcPort) || isDNSPort(p.DstPort):
			rc.udpDNS(s, f, info, p.Payload, ts)
		case (p.DstPort == 443 || p.SrcPort == 443) && info.FromOrig && !s.triedQUIC:
			rc.quic(s, f, p.Payload, ts)
		}
	case decode.ProtoTCP:
		if s.stream == nil {
			rc.attach(s, f, info, p, bit)
		}
		if s.stream != nil && !info.Underflow {
			s.reasm[info.Side].add(info.RelSeq, p.Payload, ts, info.Side == s.clientSide, s.stream)
		}
	}
}

// attach picks the stream parser of a TCP flow from its first payload and
// decides which side is the client.
func (rc *records) attach(s *appState, f *flow.Flow, info flow.PacketInfo, p *decode.Packet, bit uint16) {
	b := p.Payload
	other := info.Side ^ 1
	switch {
	case bit == svcSSL:
		s.clientSide = f.OrigSide()
		switch {
		case len(b) > 5 && b[0] == 0x16 && b[5] == 1, len(b) > 2 && b[0]&0x80 != 0 && b[2] == 1:
			s.clientSide = info.Side // a ClientHello
		case len(b) > 5 && b[0] == 0x16 && b[5] == 2:
			s.clientSide = other // a ServerHello
		}
		s.tls = tls.NewConn(tls.Config{}, func(h *tls.Handshake) { rc.writeTLS(s, f, h, "tcp") })
		s.stream = s.tls
	case bit == svcHTTP:
		s.clientSide = info.Side
		if !isHTTPRequest(b) {
			s.clientSide = other // a response seen first
		}
		s.http = http.NewConn(http.Config{}, func(t *http.Transaction) { rc.writeHTTP(s, f, t) })
		s.stream = s.http
	case p.SrcPort == 53 || p.DstPort == 53:
		s.clientSide = info.Side
		if p.SrcPort == 53 {
			s.clientSide = other
		}
		s.dns = rc.pairer(s, f, "tcp")
		s.dnsTCP = &dnsStream{pairer: s.dns}
		s.dnsTCP.deliver = func(m *dns.Message, ts int64) { rc.dnsMessage(s, f, m, ts, false) }
		s.stream = s.dnsTCP
	}
}

func (rc *records) pairer(s *appState, f *flow.Flow, proto string) *dns.Pairer {
	return dns.NewPairer(dns.Config{NoPairing: f.RespMulticast()}, func(t *dns.Transaction) { rc.writeDNS(s, f, t, proto) })
}

func (rc *records) udpDNS(s *appState, f *flow.Flow, info flow.PacketInfo, b []byte, ts int64) {
	if err := dns.Parse(b, &rc.msg); err != nil {
		rc.problems["dns_unparsable_message"]++
		return
	}
	if s.dns == nil {
		s.dns = rc.pairer(s, f, "udp")
	}
	rc.dnsMessage(s, f, &rc.msg, ts, info.FromOrig)
}

// dnsMessage confirms DNS and pairs a message; over UDP it also applies
// Zeek's flip of connections whose first message is a response.
func (rc *records) dnsMessage(s *appState, f *flow.Flow, m *dns.Message, ts int64, fromOrig bool) {
	if s.services&svcDNS == 0 {
		if f.Key.Proto == decode.ProtoUDP && fromOrig && m.QR && !s.flipped && !f.RespMulticast() {
			f.Flip()
			s.flipped = true
		}
		s.confirm(svcDNS)
		f.MarkDNS()
	}
	if s.sum.serverName == "" && !m.QR && len(m.Query) > 0 {
		s.sum.dnsQuery = string(m.Query)
	}
	s.dns.Message(m, ts)
}

func (rc *records) quic(s *appState, f *flow.Flow, b []byte, ts int64) {
	if s.quic == nil {
		if len(b) < 1200 || b[0]&0x80 == 0 {
			s.triedQUIC = true // not a client Initial: do not look again
			return
		}
		s.quic = &tls.QUICInitial{}
	}
	if s.quic.Datagram(b) {
		s.triedQUIC = true
		s.confirm(svcQUIC)
		rc.writeTLS(s, f, tls.QUICHandshake(s.quic.Hello(), ts), "udp")
	}
}

// finish ends the flow's parsers: buffered stream data is delivered,
// pending records are written, problems are counted.
func (rc *records) finish(f *flow.Flow) {
	s, ok := f.Ext.(*appState)
	if !ok {
		return
	}
	if s.stream != nil {
		for side := range s.reasm {
			s.reasm[side].flush(uint8(side) == s.clientSide, s.stream)
		}
	}
	end := f.LastTS
	if s.http != nil {
		s.http.Close(end)
		s.http.Problems().Each(func(p http.Problem, n uint64) { rc.problems["http_"+p.String()] += int64(n) })
	}
	if s.tls != nil {
		s.tls.Close(end)
		s.tls.Problems().Each(func(p tls.Problem, n uint64) { rc.problems["tls_"+p.String()] += int64(n) })
	}
	if s.quic != nil {
		s.quic.Problems().Each(func(p tls.Problem, n uint64) { rc.problems["quic_"+p.String()] += int64(n) })
	}
	if s.dns != nil {
		s.dns.Flush()
		s.dns.Problems().Each(func(p dns.Problem, n uint64) { rc.problems["dns_"+p.String()] += int64(n) })
	}
	s.stream = nil
}

func (rc *records) endpoints(f *flow.Flow) (oh string, op int32, rh string, rp int32) {
	o, opp := f.OrigAddr()
	r, rpp := f.RespAddr()
	return flow.AddrOf(o, f.Key.Version).String(), int32(opp), flow.AddrOf(r, f.Key.Version).String(), int32(rpp)
}

func (rc *records) writeDNS(s *appState, f *flow.Flow, t *dns.Transaction, proto string) {
	row, a := rc.dns.next()
	s.dnsDepth++
	row.TS = t.TS / 1e3
	row.UID = uid(rc.fctx.key, f.Ordinal, f.Segment)
	row.CaptureID = rc.fctx.captureID
	row.TransDepth = s.dnsDepth
	row.OrigH, row.OrigP, row.RespH, row.RespP = rc.endpoints(f)
	row.Proto = proto
	row.TransID = int32(t.TransID)
	if t.RTT != nil {
		row.RTT = a.Float64(t.RTT.Seconds())
	}
	row.Query = optCopy(a, t.Query)
	if t.QClass != nil {
		row.QClass = a.Int32(int32(*t.QClass))
	}
	row.QClassName = optCopy(a, t.QClassName)
	if t.QType != nil {
		row.QType = a.Int32(int32(*t.QType))
	}
	row.QTypeName = optCopy(a, t.QTypeName)
	if t.Rcode != nil {
		row.Rcode = a.Int32(int32(*t.Rcode))
	}
	row.RcodeName = optCopy(a, t.RcodeName)
	row.AA, row.TC, row.RD, row.RA = t.AA, t.TC, t.RD, t.RA
	row.Z = int32(t.Z)
	if t.Answers != nil {
		row.Answers = a.Strings(len(t.Answers))
		copy(row.Answers, t.Answers)
		row.TTLs = a.Int64s(len(t.TTLs))
		for i, v := range t.TTLs {
			row.TTLs[i] = int64(v)
		}
	}
	row.Rejected = t.Rejected
	row.Opcode, row.OpcodeName = int32(t.Opcode), t.OpcodeName
	if m := t.Metrics; m != nil {
		row.QueryLength = a.Int32(int32(m.Length))
		row.LabelCount = a.Int32(int32(m.Labels))
		row.LongestLabel = a.Int32(int32(m.LongestLabel))
		row.QueryEntropy = a.Float64(m.Entropy)
		if m.RegisteredDomain != "" {
			row.RegisteredDomain = a.String(m.RegisteredDomain)
		}
	}
}

func (rc *records) writeHTTP(s *appState, f *flow.Flow, t *http.Transaction) {
	row, a := rc.http.next()
	row.TS = t.TS / 1e3
	row.UID = uid(rc.fctx.key, f.Ordinal, f.Segment)
	row.CaptureID = rc.fctx.captureID
	row.TransDepth = int32(t.TransDepth)
	row.OrigH, row.OrigP, row.RespH, row.RespP = rc.endpoints(f)
	row.Method, row.Host, row.URI = optCopy(a, t.Method), optCopy(a, t.Host), optCopy(a, t.URI)
	row.Referrer, row.Version, row.UserAgent = optCopy(a, t.Referrer), optCopy(a, t.Version), optCopy(a, t.UserAgent)
	row.Origin, row.Cookie, row.Username = optCopy(a, t.Origin), optCopy(a, t.Cookie), optCopy(a, t.Username)
	row.RequestContentType, row.ResponseContentType = optCopy(a, t.RequestContentType), optCopy(a, t.ResponseContentType)
	if t.RequestBodyLen != nil {
		row.RequestBodyLen = a.Int64(*t.RequestBodyLen)
	}
	if t.ResponseBodyLen != nil {
		row.ResponseBodyLen = a.Int64(*t.ResponseBodyLen)
	}
	if t.StatusCode != nil {
		row.StatusCode = a.Int32(int32(*t.StatusCode))
	}
	row.StatusMsg = optCopy(a, t.StatusMsg)
	if t.InfoCode != nil {
		row.InfoCode = a.Int32(int32(*t.InfoCode))
	}
	row.InfoMsg, row.Location, row.Server = optCopy(a, t.InfoMsg), optCopy(a, t.Location), optCopy(a, t.Server)
	row.ClientHeaderNames = stringsCopy(a, t.ClientHeaderNames)
	row.ServerHeaderNames = stringsCopy(a, t.ServerHeaderNames)
	row.RequestHead = optCopy(a, t.RequestHead)
	s.confirm(svcHTTP)
	if s.sum.userAgent == "" && t.UserAgent != nil {
		s.sum.userAgent = *t.UserAgent
	}
	if s.sum.httpHost == "" && t.Host != nil {
		s.sum.httpHost = *t.Host
	}
}

func (rc *records) writeTLS(s *appState, f *flow.Flow, h *tls.Handshake, proto string) {
	row, a := rc.tls.next()
	s.tlsDepth++
	row.TS = h.TS / 1e3
	row.UID = uid(rc.fctx.key, f.Ordinal, f.Segment)
	row.CaptureID = rc.fctx.captureID
	row.TransDepth = s.tlsDepth
	row.OrigH, row.OrigP, row.RespH, row.RespP = rc.endpoints(f)
	row.Proto = proto
	row.Version, row.Cipher, row.Curve = optCopy(a, h.Version), optCopy(a, h.Cipher), optCopy(a, h.Curve)
	row.ServerName, row.NextProtocol = optCopy(a, h.ServerName), optCopy(a, h.NextProtocol)
	row.Established, row.Resumed = h.Established, h.Resumed
	if c := h.Client; c != nil {
		row.ClientVersion = a.Int32(int32(c.Version))
		row.ClientSupportedVersions = int32s(a, c.SupportedVersions)
		row.ClientCiphers = int32s(a, c.CipherSuites)
		row.ClientExtensions = int32s(a, c.Extensions)
		row.ClientCurves = int32s(a, c.SupportedGroups)
		row.ClientECPointFormats = bytes32(a, c.ECPointFormats)
		row.ClientSigAlgs = int32s(a, c.SignatureAlgorithms)
		row.ClientALPN = stringsCopy(a, h.ClientALPN)
	}
	if sh := h.Server; sh != nil {
		v := sh.Version
		if sh.SelectedVersion != 0 {
			v = sh.SelectedVersion
		}
		row.ServerVersion = a.Int32(int32(v))
		row.ServerCipher = a.Int32(int32(sh.CipherSuite))
		row.ServerExtensions = int32s(a, sh.Extensions)
	}
	row.JA3, row.JA3String, row.JA4 = optCopy(a, h.JA3), optCopy(a, h.JA3String), optCopy(a, h.JA4)
	row.JA3S, row.JA3SString = optCopy(a, h.JA3S), optCopy(a, h.JA3SString)
	if c := h.Leaf; c != nil {
		row.Subject, row.Issuer = a.String(c.Subject), a.String(c.Issuer)
		if c.NotBefore != nil {
			row.NotValidBefore = a.Int64(c.NotBefore.UnixMicro())
		}
		if c.NotAfter != nil {
			row.NotValidAfter = a.Int64(c.NotAfter.UnixMicro())
		}
		row.CertSerial = a.String(c.Serial)
		row.SANDNS = stringsCopy(a, c.SANDNS)
	}
	if h.CertChainFPs != nil {
		row.CertChainFPs = stringsCopy(a, h.CertChainFPs)
	}
	if proto == "tcp" {
		s.confirm(svcSSL)
	}
	if s.sum.serverName == "" && h.ServerName != nil {
		s.sum.serverName = *h.ServerName
	}
	if s.sum.ja3 == "" && h.JA3 != nil {
		s.sum.ja3, s.sum.ja3String = *h.JA3, deref(h.JA3String)
		s.sum.ja4 = deref(h.JA4)
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func optCopy(a *arena, p *string) *string {
	if p == nil {
		return nil
	}
	return a.String(*p)
}

func stringsCopy(a *arena, l []string) []string {
	out := a.Strings(len(l))
	copy(out, l)
	return out
}

func int32s(a *arena, l []uint16) []int32 {
	out := a.Int32s(len(l))
	for i, v := range l {
		out[i] = int32(v)
	}
	return out
}

func bytes32(a *arena, l []uint8) []int32 {
	out := a.Int32s(len(l))
	for i, v := range l {
		out[i] = int32(v)
	}
	return out
}
