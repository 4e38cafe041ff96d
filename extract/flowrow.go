package extract

import (
	"cmp"
	"fmt"
	"net/netip"
	"path/filepath"

	"flowsift/extract/decode"
	"flowsift/extract/flow"
)

// flowContext is what converting a flow into a row needs besides the flow.
type flowContext struct {
	captureID string
	key       uint64
	files     []string
	seed      uint16
	localNets []netip.Prefix
	appOf     func(*flow.Flow) *appSummary
}

// appSummary is what the protocol parsers learned about a flow.
type appSummary struct {
	service    string // Zeek service names, comma-separated
	appProto   string
	appSource  string
	serverName string // TLS SNI
	httpHost   string
	dnsQuery   string
	ja3        string
	ja3String  string
	ja4        string
	userAgent  string
}

var protoNames = map[uint8]string{decode.ProtoTCP: "tcp", decode.ProtoUDP: "udp", decode.ProtoICMP: "icmp", decode.ProtoICMPv6: "icmp"}

func (c *flowContext) fill(row *FlowRow, a *arena, f *flow.Flow, reason flow.EndReason) {
	o, r := f.Orig(), f.Resp()
	oh, op := f.OrigAddr()
	rh, rp := f.RespAddr()
	v := f.Key.Version
	oAddr, rAddr := flow.AddrOf(oh, v), flow.AddrOf(rh, v)

	row.UID = uid(c.key, f.Ordinal, f.Segment)
	cop, crp := op, rp
	if f.Key.Proto == decode.ProtoSCTP {
		cop, crp = f.SCTPPorts[f.OrigSide()], f.SCTPPorts[f.OrigSide()^1]
	}
	row.CommunityID = flow.CommunityID(c.seed, v, f.Key.Proto, oh, rh, cop, crp, f.Key.OneWay, true)
	row.Segment = f.Segment
	row.CaptureID = c.captureID
	row.CaptureFile = filepath.Base(c.files[f.File])
	row.FirstPktNo = f.FirstPktNo
	row.TS = f.StartTS / 1e3
	row.TSEnd = f.LastTS / 1e3
	dur := f.Duration()
	if dur > 0 {
		row.Duration = a.Float64(float64(dur) / 1e9)
		row.OrigBytes = a.Int64(f.OrigSize())
		row.RespBytes = a.Int64(f.RespSize())
	}
	row.SpanUS = (f.LastTS - f.StartTS) / 1e3
	row.EndReason = reason.String()
	row.DirectionFlipped = f.Flipped()

	row.OrigH, row.RespH = oAddr.String(), rAddr.String()
	row.OrigP, row.RespP = int32(op), int32(rp)
	if name, ok := protoNames[f.Key.Proto]; ok {
		row.Proto = name
	} else {
		row.Proto = "unknown_transport"
	}
	row.IPProto = int32(f.Key.Proto)
	row.IPVersion = int32(v)
	if f.ICMPType >= 0 {
		row.ICMPType = a.Int32(int32(f.ICMPType))
		row.ICMPCode = a.Int32(int32(f.ICMPCode))
	}
	if f.NumVLANs > 0 {
		row.VLAN = a.Int32(int32(f.VLAN))
	}
	if f.NumVLANs > 1 {
		row.InnerVLAN = a.Int32(int32(f.InnerVLAN))
	}
	if o.HasMAC {
		row.OrigL2Addr = a.String(macString(o.MAC))
	}
	if r.HasMAC {
		row.RespL2Addr = a.String(macString(r.MAC))
	}
	if f.Tunnel != decode.TunnelNone {
		row.TunnelType = a.String(f.Tunnel.String())
	}
	if f.ParentOrdinal >= 0 {
		par := a.Strings(1)
		par[0] = uid(c.key, f.ParentOrdinal, f.ParentSegment)
		row.TunnelPar = par
	} else {
		row.TunnelPar = a.Strings(0)
	}
	if len(c.localNets) > 0 {
		row.LocalOrig = a.Bool(inNets(c.localNets, oAddr))
		row.LocalResp = a.Bool(inNets(c.localNets, rAddr))
	}

	row.ConnState = f.ConnState()
	optString(a, &row.History, f.History())
	if app := c.appOf(f); app != nil {
		if app.service != "" {
			row.Service = a.String(app.service)
		}
		if app.appProto != "" {
			row.AppProto = a.String(app.appProto)
			row.AppProtoSource = a.String(app.appSource)
		}
		// server_name: the SNI, else the HTTP Host, else the DNS query
		// (NFStream's requested_server_name).
		optString(a, &row.ServerName, cmp.Or(app.serverName, app.httpHost, app.dnsQuery))
		optString(a, &row.JA3, app.ja3)
		optString(a, &row.JA3String, app.ja3String)
		optString(a, &row.JA4, app.ja4)
		optString(a, &row.UserAgent, app.userAgent)
	}
	if row.AppProto == nil {
		if name := portGuess(f.Key.Proto, rp); name != "" {
			row.AppProto = a.String(name)
			row.AppProtoSource = a.String("port")
		}
	}
	row.OrigPkts, row.RespPkts = o.Pkts, r.Pkts
	row.OrigIPBytes, row.RespIPBytes = o.IPBytes, r.IPBytes
	row.MissedBytes = f.Missed()

	row.OrigL2Bytes, row.RespL2Bytes = o.L2Bytes, r.L2Bytes
	row.OrigPayloadBytes, row.RespPayloadBytes = o.PayloadBytes, r.PayloadBytes
	row.OrigL4HdrBytes, row.RespL4HdrBytes = o.L4HdrBytes, r.L4HdrBytes
	if o.Pkts > 0 {
		row.OrigL4HdrMin = a.Int32(o.L4HdrMin)
	}
	row.OrigDataPkts, row.RespDataPkts = o.DataPkts, r.DataPkts
	of, rf := &o.FlagPkts, &r.FlagPkts
	row.OrigFinPkts, row.OrigSynPkts, row.OrigRstPkts, row.OrigPshPkts = of[0], of[1], of[2], of[3]
	row.OrigAckPkts, row.OrigUrgPkts, row.OrigEcePkts, row.OrigCwrPkts = of[4], of[5], of[6], of[7]
	row.RespFinPkts, row.RespSynPkts, row.RespRstPkts, row.RespPshPkts = rf[0], rf[1], rf[2], rf[3]
	row.RespAckPkts, row.RespUrgPkts, row.RespEcePkts, row.RespCwrPkts = rf[4], rf[5], rf[6], rf[7]
	optInt32(a, &row.OrigInitWin, o.InitWin)
	optInt32(a, &row.RespInitWin, r.InitWin)
	optInt32(a, &row.OrigWScale, o.WScale)
	optInt32(a, &row.RespWScale, r.WScale)
	optInt32(a, &row.OrigMSS, o.MSS)
	optInt32(a, &row.RespMSS, r.MSS)
	if synAck, ack := f.SYNAckRTT(); synAck > 0 {
		row.SynAckRTTUS = a.Int64(synAck / 1e3)
		if ack > 0 {
			row.AckRTTUS = a.Int64(ack / 1e3)
		}
	}
	row.OrigRetransPkts, row.RespRetransPkts = o.RetransPkts, r.RetransPkts
	row.OrigZeroWinPkts, row.RespZeroWinPkts = o.ZeroWinPkts, r.ZeroWinPkts
	if o.Pkts > 0 {
		row.OrigTTLMin, row.OrigTTLMax = a.Int32(o.TTLMin), a.Int32(o.TTLMax)
	}
	if r.Pkts > 0 {
		row.RespTTLMin, row.RespTTLMax = a.Int32(r.TTLMin), a.Int32(r.TTLMax)
	}

	sizeStats(a, f.PS.Stat(), &row.BiPSMin, &row.BiPSMax, &row.BiPSMean, &row.BiPSStd)
	sizeStats(a, o.PS.Stat(), &row.OrigPSMin, &row.OrigPSMax, &row.OrigPSMean, &row.OrigPSStd)
	sizeStats(a, r.PS.Stat(), &row.RespPSMin, &row.RespPSMax, &row.RespPSMean, &row.RespPSStd)
	sizeStats(a, f.PL.Stat(), &row.BiPLMin, &row.BiPLMax, &row.BiPLMean, &row.BiPLStd)
	sizeStats(a, o.PL.Stat(), &row.OrigPLMin, &row.OrigPLMax, &row.OrigPLMean, &row.OrigPLStd)
	sizeStats(a, r.PL.Stat(), &row.RespPLMin, &row.RespPLMax, &row.RespPLMean, &row.RespPLStd)
	timeStats(a, f.IAT.Stat(), 1e3, &row.BiIATMin, &row.BiIATMax, &row.BiIATMean, &row.BiIATStd)
	timeStats(a, o.IAT.Stat(), 1e3, &row.OrigIATMin, &row.OrigIATMax, &row.OrigIATMean, &row.OrigIATStd)
	timeStats(a, r.IAT.Stat(), 1e3, &row.RespIATMin, &row.RespIATMax, &row.RespIATMean, &row.RespIATStd)
	timeStats(a, f.Act.Active(), 1, &row.ActiveMin, &row.ActiveMax, &row.ActiveMean, &row.ActiveStd)
	timeStats(a, f.Act.Idle(), 1, &row.IdleMin, &row.IdleMax, &row.IdleMean, &row.IdleStd)

	ob, rb := o.Bulk.Totals(), r.Bulk.Totals()
	row.OrigBulkCount, row.OrigBulkPkts, row.OrigBulkBytes, row.OrigBulkDurUS = ob.Count, ob.Pkts, ob.Bytes, ob.DurNS/1e3
	row.RespBulkCount, row.RespBulkPkts, row.RespBulkBytes, row.RespBulkDurUS = rb.Count, rb.Pkts, rb.Bytes, rb.DurNS/1e3
	row.SubflowCount = f.Subflows

	n := f.SPLTLen
	row.SPLTDir, row.SPLTLen, row.SPLTIATUS = a.Int32s(n), a.Int32s(n), a.Int64s(n)
	for i := range n {
		row.SPLTDir[i] = f.SPLTDir(i)
		row.SPLTLen[i] = f.SPLTSize[i]
		row.SPLTIATUS[i] = f.SPLTIAT[i] / 1e3
	}
	row.DupPkts, row.TruncatedPkts, row.FragPkts = f.DupPkts, f.TruncPkts, f.FragPkts
}

func optString(a *arena, dst **string, v string) {
	if v != "" {
		*dst = a.String(v)
	}
}

func optInt32(a *arena, dst **int32, v int32) {
	if v >= 0 {
		*dst = a.Int32(v)
	}
}

func sizeStats(a *arena, s flow.Stat, mn, mx **int32, mean, std **float64) {
	if s.N == 0 {
		return
	}
	*mn, *mx, *mean = a.Int32(int32(s.Min)), a.Int32(int32(s.Max)), a.Float64(s.Mean)
	if s.N > 1 {
		*std = a.Float64(s.Std)
	}
}

// timeStats writes nanosecond statistics in microseconds (div 1e3) or
// statistics already in microseconds (div 1).
func timeStats(a *arena, s flow.Stat, div float64, mn, mx **int64, mean, std **float64) {
	if s.N == 0 {
		return
	}
	*mn, *mx = a.Int64(int64(s.Min/div)), a.Int64(int64(s.Max/div))
	*mean = a.Float64(s.Mean / div)
	if s.N > 1 {
		*std = a.Float64(s.Std / div)
	}
}

func macString(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func inNets(nets []netip.Prefix, a netip.Addr) bool {
	for _, n := range nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}
