package flow

import "flowsift/extract/decode"

// This file ports the parts of Zeek's TCP session analysis that decide
// conn_state, history, sizes and content gaps
// (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc and
// src/analyzer/protocol/tcp/TCP_Endpoint.cc). Function names follow Zeek's
// so the two can be read side by side; weirds, events and timers that do
// not change the logged connection are left out.

func (e *Endpoint) fullSeq(seq, wraps uint32) uint64 { return uint64(wraps)<<32 + uint64(seq) }

func (e *Endpoint) toRelative(seq, wraps uint32) uint64 {
	return e.fullSeq(seq, wraps) - uint64(e.startSeq)
}

func (e *Endpoint) initSeqs(start, last uint32) {
	e.startSeq = int64(start)
	e.ackSeq = start
	e.lastSeq = last
	// The sequence space restarts, and with it the size this segment
	// counts from (Zeek's Size counts from the new start too).
	e.sizeBase = 0
}

func (e *Endpoint) updateLastSeqValue(seq uint32) {
	if seq < e.lastSeq {
		e.seqWraps++
	}
	e.lastSeq = seq
}

func (e *Endpoint) updateAckSeqValue(seq uint32) {
	if seq < e.ackSeq {
		e.ackWraps++
	}
	e.ackSeq = seq
}

func (e *Endpoint) noDataAcked() bool {
	ack := e.fullSeq(e.ackSeq, e.ackWraps)
	start := uint64(e.startSeq)
	return ack == start || ack == start+1
}

func (e *Endpoint) setState(s uint8) {
	if s != e.state {
		e.prevState = e.state
		e.state = s
	}
}

// size is TCP_Endpoint::Size: payload bytes from sequence numbers.
func (e *Endpoint) tcpSize(peer *Endpoint) int64 {
	if e.prevState == tcpSynSent && e.state == tcpReset && peer.state == tcpInactive && !e.noDataAcked() {
		return 0
	}
	last := e.fullSeq(e.lastSeq, e.seqWraps)
	ack := e.fullSeq(e.ackSeq, e.ackWraps)
	var size uint64
	if last > ack {
		size = last - uint64(e.startSeq)
	} else {
		size = ack - uint64(e.startSeq)
	}
	if size != 0 {
		size--
	}
	if e.finCnt > 0 && size != 0 {
		size--
	}
	return int64(size)
}

func segmentLen(payload int, flags uint16) int {
	n := payload
	if flags&decode.SYN != 0 {
		n++
	}
	if flags&decode.FIN != 0 {
		n++
	}
	if flags&decode.RST != 0 {
		n -= payload
	}
	return n
}

func initEndpoint(e *Endpoint, flags uint16, firstSeq, lastSeq uint32) {
	syn := flags&decode.SYN != 0
	switch e.state {
	case tcpInactive:
		if syn {
			e.ackSeq = firstSeq
			e.startSeq = int64(firstSeq)
		} else {
			// A partial connection: number as though a SYN was seen.
			e.ackSeq = firstSeq - 1
			e.startSeq = int64(firstSeq - 1)
			lastSeq = firstSeq
		}
		e.lastSeq = lastSeq
	case tcpSynSent, tcpSynAckSent:
		if syn && firstSeq != uint32(e.startSeq) {
			e.initSeqs(firstSeq, lastSeq)
		}
	case tcpEstablished, tcpPartial:
		if syn {
			e.initSeqs(firstSeq, lastSeq)
		}
	case tcpReset:
		if syn && e.prevState == tcpInactive {
			e.initSeqs(firstSeq, lastSeq)
		}
	}
}

// relativeSeq is get_relative_seq; Zeek returns a negative delta through
// an unsigned type, and so does this.
func relativeSeq(e *Endpoint, cur, last, wraps uint32) (uint64, bool) {
	delta := seqDelta(cur, last)
	if delta < 0 {
		if wraps != 0 && cur > last {
			wraps--
		}
	} else if delta > 0 {
		if cur < last {
			wraps++
		}
	}
	if wraps == 0 {
		d := seqDelta(cur, uint32(e.startSeq))
		return uint64(int64(d)), d < 0
	}
	return e.toRelative(cur, wraps), false
}

func initPeer(peer *Endpoint, ackSeq uint32) {
	peer.startSeq = int64(ackSeq - 1)
	peer.ackSeq = ackSeq - 1
	peer.lastSeq = ackSeq - 1
}

func updateAckSeq(e *Endpoint, ack uint32) {
	d := seqDelta(ack, e.ackSeq)
	if ack == 0 && d > tooLargeSeqD {
		return
	}
	if d > 0 {
		e.updateAckSeqValue(ack)
	}
}

// tcpPacket processes one TCP packet from key side s
// (TCPSessionAdapter::Process). It returns the relative sequence number of
// the packet's first payload byte and whether it lies before the start.
func (f *Flow) tcpPacket(s uint8, p *decode.Packet, ts int64, clock int64) (uint64, bool) {
	flags := p.Flags
	syn, fin, rst, ack := flags&decode.SYN != 0, flags&decode.FIN != 0, flags&decode.RST != 0, flags&decode.ACK != 0
	e, peer := &f.ep[s], &f.ep[s^1]
	length := p.PayloadLen
	segLen := segmentLen(length, flags)
	onePast := p.Seq + uint32(segLen)

	initEndpoint(e, flags, p.Seq, onePast)
	relSeq, underflow := relativeSeq(e, p.Seq, e.lastSeq, e.seqWraps)
	// Zeek hands the state machine the direction as it was before
	// update_history could flip the connection; so does this.
	isOrig := f.isOrigSide(s)
	f.updateHistory(s, flags, relSeq, length)
	// updateHistory may flip roles; e and peer still name the same hosts.
	fromOrig := f.isOrigSide(s)

	// Zero windows (update_window): only the history letter is logged.
	if p.Window == 0 && !rst && peer.state != tcpClosed && e.state != tcpReset {
		f.scaledHistory('W', fromOrig, &e.win0Cnt, &e.win0Thresh)
		e.ZeroWinPkts++
	}
	if !f.Orig().didClose || !f.Resp().didClose {
		// Zeek sets last_time to this packet's time even when it is
		// earlier (SetLastTime in TCPSessionAdapter::DeliverPacket), so an
		// out-of-order timestamp can shorten the duration or make it
		// negative; like the UDP and ICMP paths, keep the latest.
		f.zeekLast = max(f.zeekLast, ts)
	}
	if fin {
		e.finCnt++
		e.finSeq = relSeq + uint64(segLen)
	}
	if rst {
		e.rstCnt++
	}
	var relAck uint64
	if ack {
		if peer.state == tcpInactive {
			relAck = 1
			initPeer(peer, p.Ack)
		} else {
			ra, under := relativeSeq(peer, p.Ack, peer.ackSeq, peer.ackWraps)
			switch {
			case under:
				relAck = 0
			case !rst:
				updateAckSeq(peer, p.Ack)
				relAck = ra
			default:
				relAck = ra
			}
		}
	}
	// update_last_seq
	deltaLast := seqDelta(onePast, e.lastSeq)
	switch {
	case (syn || rst) && (deltaLast > tooLargeSeqD || deltaLast < -tooLargeSeqD):
	case fin && uint64(e.lastSeq) == uint64(e.startSeq)+1:
		e.updateLastSeqValue(onePast)
	case e.state == tcpReset:
	case deltaLast > 0:
		e.updateLastSeqValue(onePast)
	case deltaLast <= 0 && length > 0:
		f.scaledHistory('T', fromOrig, &e.rxmtCnt, &e.rxmtThresh)
		e.RetransPkts++
	}

	doClose, genEvent := f.updateStateMachine(isOrig, e, peer, p.Seq, p.Ack, length, deltaLast, flags)
	_ = genEvent
	fromOrig = f.isOrigSide(s) // a SYN/SYN-ACK reversal flips roles

	if ack {
		if missing := peer.ackReceived(relAck); missing > 0 && f.establishedOrCleanlyClosing(peer, e) {
			peer.missed += int64(missing)
			f.scaledHistory('G', !fromOrig, &peer.gapCnt, &peer.gapThresh)
		}
	}
	relDataSeq := relSeq
	if syn {
		relDataSeq++
	}
	if length > 0 && !rst && !underflow {
		e.dataSent(relDataSeq, length)
	}
	if doClose {
		f.connectionClosed(e, peer, clock)
	}
	if syn && !ack && f.synTS == 0 {
		f.synTS = ts
	}
	if syn && ack && f.synAckTS == 0 {
		f.synAckTS = ts
	}
	if !syn && ack && f.synAckTS != 0 && f.ackTS == 0 && fromOrig {
		f.ackTS = ts
	}
	return relDataSeq, underflow
}

func isClean(e *Endpoint) bool {
	return e.state == tcpEstablished || (e.state == tcpClosed && e.prevState == tcpEstablished)
}

func (f *Flow) establishedOrCleanlyClosing(a, b *Endpoint) bool { return isClean(a) && isClean(b) }

// updateHistory is update_history with TCP_Endpoint::CheckHistory's flip of
// connections that began with a SYN-ACK.
func (f *Flow) updateHistory(s uint8, flags uint16, relSeq uint64, length int) {
	e := &f.ep[s]
	syn, fin, rst := flags&decode.SYN != 0, flags&decode.FIN != 0, flags&decode.RST != 0
	bits := 0
	for _, b := range [3]bool{syn, fin, rst} {
		if b {
			bits++
		}
	}
	switch {
	case bits > 1:
		if fin && rst {
			f.checkHistory(histFINRST, 'I', f.isOrigSide(s))
		} else {
			f.checkHistory(histMulti, 'Q', f.isOrigSide(s))
		}
	case bits == 1:
		if syn {
			code := byte('S')
			if flags&decode.ACK != 0 {
				code = 'H'
			}
			if f.checkHistory(histSYN, code, f.isOrigSide(s)) && relSeq != e.histLastSYN {
				f.addHistory(code, f.isOrigSide(s))
			}
			e.histLastSYN = relSeq
		}
		if fin {
			if f.checkHistory(histFIN, 'F', f.isOrigSide(s)) && relSeq+uint64(length) != e.histLastFIN {
				f.addHistory('F', f.isOrigSide(s))
			}
			e.histLastFIN = relSeq + uint64(length)
		}
		if rst {
			if f.checkHistory(histRST, 'R', f.isOrigSide(s)) && relSeq != e.histLastRST {
				f.addHistory('R', f.isOrigSide(s))
			}
			e.histLastRST = relSeq
		}
	default:
		if length > 0 {
			f.tcpCheckHistory(s, histData, 'D')
		} else if flags&decode.ACK != 0 {
			f.tcpCheckHistory(s, histACK, 'A')
		}
	}
}

// tcpCheckHistory is TCP_Endpoint::CheckHistory for A and D: a connection
// whose only history is a SYN-ACK is flipped when productive traffic
// appears, and its history becomes "^h".
func (f *Flow) tcpCheckHistory(s uint8, mask uint32, code byte) {
	if f.histLen == 1 && f.hist[0] == 'H' {
		f.origIdx ^= 1
		f.hist[0], f.hist[1] = '^', 'h'
		f.histLen = 2
	}
	f.checkHistory(mask, code, f.isOrigSide(s))
}

func (f *Flow) updateStateMachine(isOrig bool, e, peer *Endpoint, baseSeq, ackSeq uint32, length int, deltaLast int32, flags uint16) (doClose, genEvent bool) {
	switch e.state {
	case tcpInactive:
		return f.updateInactiveState(isOrig, e, peer, baseSeq, ackSeq, length, flags)
	case tcpSynSent, tcpSynAckSent:
		return updateSynSentState(e, peer, flags)
	case tcpEstablished, tcpPartial:
		return updateEstablishedState(e, peer, flags)
	case tcpClosed:
		return updateClosedState(e, peer, flags), false
	}
	return false, false
}

func (f *Flow) updateInactiveState(isOrig bool, e, peer *Endpoint, baseSeq, ackSeq uint32, length int, flags uint16) (doClose, genEvent bool) {
	syn, fin, rst, ack := flags&decode.SYN != 0, flags&decode.FIN != 0, flags&decode.RST != 0, flags&decode.ACK != 0
	if syn {
		if isOrig {
			if ack {
				e.setState(tcpSynAckSent)
			} else {
				e.setState(tcpSynSent)
			}
		} else {
			if !ack && peer.state == tcpSynAckSent && baseSeq == uint32(e.startSeq) {
				// A SYN/SYN-ACK reversal: flip and establish.
				f.flip()
				peer.setState(tcpEstablished)
			}
			if peer.state == tcpSynSent {
				peer.setState(tcpEstablished)
			}
			e.setState(tcpEstablished)
		}
	}
	if fin {
		e.setState(tcpClosed)
		doClose, genEvent = true, true
	}
	if rst {
		e.setState(tcpReset)
		reject := false
		if isOrig {
			reject = peer.state == tcpEstablished
		} else {
			reject = peer.state == tcpSynSent || peer.state == tcpSynAckSent
		}
		doClose = true
		genEvent = !reject
	}
	if e.state == tcpInactive {
		orig := f.Orig()
		switch {
		case !isOrig && length == 0 && orig.state == tcpSynSent:
			// An ACK of the SYN before the SYN-ACK: not a partial connection.
		case ack && peer.state == tcpEstablished:
			e.setState(tcpEstablished)
		default:
			e.setState(tcpPartial)
		}
	}
	return doClose, genEvent
}

func updateSynSentState(e, peer *Endpoint, flags uint16) (doClose, genEvent bool) {
	if flags&decode.FIN != 0 {
		e.setState(tcpClosed)
		doClose, genEvent = true, true
	}
	if flags&decode.RST != 0 {
		e.setState(tcpReset)
		doClose = true
	}
	return doClose, genEvent
}

func updateEstablishedState(e, peer *Endpoint, flags uint16) (doClose, genEvent bool) {
	syn, fin, rst, ack := flags&decode.SYN != 0, flags&decode.FIN != 0, flags&decode.RST != 0, flags&decode.ACK != 0
	if syn && e.state == tcpPartial && peer.state == tcpInactive && !ack {
		e.setState(tcpSynSent)
	}
	if fin && !rst {
		e.setState(tcpClosed)
		if peer.state == tcpReset && peer.prevState == tcpClosed {
			// A FIN followed by a RST from the peer was a normal termination.
			peer.setState(tcpClosed)
		}
		doClose, genEvent = true, true
	}
	if rst {
		e.setState(tcpReset)
		doClose = true
	}
	return doClose, genEvent
}

func updateClosedState(e, peer *Endpoint, flags uint16) (doClose bool) {
	if flags&decode.RST != 0 && peer.state != tcpClosed {
		e.setState(tcpReset)
		if !e.didClose {
			doClose = true
		}
	}
	return doClose
}

// connectionClosed is TCPSessionAdapter::ConnectionClosed without the
// reassembler's deferral: it marks the endpoint closed and, when the close
// is complete, starts the close grace period.
func (f *Flow) connectionClosed(e, peer *Endpoint, clock int64) {
	if e.didClose {
		return
	}
	e.didClose = true
	if e.state == tcpReset || peer.didClose || peer.state == tcpInactive {
		if f.closedAt == 0 {
			f.closedAt = clock
		}
		return
	}
	if e.prevState == tcpInactive && f.partialAt == 0 {
		f.partialAt = clock
	}
}
