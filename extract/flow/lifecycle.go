package flow

import "flowsift/extract/decode"

// classOf returns the timeout class of f and the clock time it entered it.
func (t *Table) classOf(f *Flow) (uint8, int64) {
	if f.Key.Proto == decode.ProtoTCP {
		o, r := f.Orig(), f.Resp()
		switch {
		case f.closedAt != 0:
			return classClosing, f.closedAt
		case (o.state == tcpSynSent || o.state == tcpSynAckSent) && r.state == tcpInactive:
			if f.synAt != 0 {
				return classAttempt, f.synAt
			}
			return classAttempt, f.ageStart
		case f.partialAt != 0 && o.state != tcpInactive && r.state != tcpInactive &&
			(!o.didClose || !r.didClose) && o.state != tcpReset && r.state != tcpReset:
			return classPartial, f.partialAt
		}
	}
	switch f.Key.Proto {
	case decode.ProtoUDP:
		if f.dns {
			return classIdleDNS, f.lastClock
		}
		return classIdleUDP, f.lastClock
	case decode.ProtoICMP, decode.ProtoICMPv6:
		return classIdleICMP, f.lastClock
	}
	return classIdle, f.lastClock
}

func (t *Table) timeout(class uint8) int64 {
	switch class {
	case classAttempt:
		return t.attempt
	case classClosing:
		return t.grace
	case classPartial:
		return t.partial
	case classIdleUDP:
		return t.idleUDP
	case classIdleICMP:
		return t.idleICMP
	case classIdleDNS:
		return t.idleDNS
	}
	return t.idle
}

// deadline returns the clock time at which f expires.
func (t *Table) deadline(f *Flow) int64 {
	class, since := t.classOf(f)
	return since + t.timeout(class)
}

// reschedule moves f to the tail of its timeout class after a packet.
func (t *Table) reschedule(f *Flow) {
	f.lastClock = t.clock
	class, _ := t.classOf(f)
	if class == f.class && class >= classAttempt {
		return // fixed deadlines: the position in the list stays right
	}
	if f.class != classNone {
		t.unlink(&t.lists[f.class], f.idx, false)
	}
	f.class = class
	t.push(&t.lists[class], f.idx, false)
}

// expire ends flows whose deadline has passed and cuts segments at the
// active timeout.
func (t *Table) expire() {
	for class := classIdle; class < numClasses; class++ {
		l := &t.lists[class]
		for l.head != nilIdx {
			f := t.at(l.head)
			if t.deadline(f) > t.clock {
				break
			}
			t.finish(l.head, t.reasonFor(f))
		}
	}
	if t.active <= 0 {
		return
	}
	for t.age.head != nilIdx {
		f := t.at(t.age.head)
		if f.ageStart+t.active > t.clock {
			break
		}
		t.segment(f)
	}
}

// reasonFor names why f ends now, from its state.
func (t *Table) reasonFor(f *Flow) EndReason {
	class, _ := t.classOf(f)
	switch class {
	case classAttempt:
		return EndAttempt
	case classClosing, classPartial:
		if f.ep[0].state == tcpReset || f.ep[1].state == tcpReset {
			return EndRST
		}
		return EndFIN
	}
	return EndIdle
}

// finish emits f and frees its slot.
func (t *Table) finish(idx int32, reason EndReason) {
	f := t.at(idx)
	t.emitFlow(f, reason)
	if f.class != classNone {
		t.unlink(&t.lists[f.class], idx, false)
	}
	t.unlink(&t.age, idx, true)
	delete(t.index, f.Key)
	f.class = classNone
	f.Ext = nil
	if t.last == idx {
		t.last = nilIdx
	}
	t.free = append(t.free, idx)
	t.live--
}

func (t *Table) emitFlow(f *Flow, reason EndReason) {
	if f.ep[0].Pkts+f.ep[1].Pkts == 0 {
		return // an active-timeout segment that saw no packet
	}
	f.ep[0].Bulk.end()
	f.ep[1].Bulk.end()
	f.Act.finish()
	t.stats.Duplicates += f.DupPkts
	t.stats.MissedBytes += f.Missed()
	t.emit(f, reason)
}

// segment ends the current record of a long flow and starts the next one.
// Zeek's TCP state carries over; counters and statistics start afresh.
func (t *Table) segment(f *Flow) {
	if f.ep[0].Pkts+f.ep[1].Pkts == 0 {
		// No packet since the last cut: no record to end, so the segment
		// number stays and the active timeout restarts.
		t.unlink(&t.age, f.idx, true)
		f.ageStart = t.clock
		t.push(&t.age, f.idx, true)
		return
	}
	t.stats.Segments++
	t.emitFlow(f, EndActive)
	for i := range f.ep {
		e := &f.ep[i]
		e.sizeBase = e.tcpSize(&f.ep[i^1])
	}
	for i := range f.ep {
		e := &f.ep[i]
		mac, has := e.MAC, e.HasMAC
		e.Counters = Counters{}
		e.InitWin, e.WScale, e.MSS, e.L4HdrMin = -1, -1, -1, -1
		e.MAC, e.HasMAC = mac, has
	}
	f.Segment++
	f.StartTS, f.zeekLast = f.LastTS, f.LastTS
	f.histLen, f.histSeen = 0, 0
	f.PS, f.PL, f.IAT = welford{}, welford{}, welford{}
	f.Act = activity{}
	f.Subflows, f.SPLTLen, f.spltFromB = 0, 0, 0
	f.synTS, f.synAckTS, f.ackTS = 0, 0, 0
	f.DupPkts, f.TruncPkts, f.FragPkts = 0, 0, 0
	f.ICMPType, f.ICMPCode = -1, -1
	f.firstIdx = f.origIdx
	t.unlink(&t.age, f.idx, true)
	f.ageStart = t.clock
	t.push(&t.age, f.idx, true)
}

// evict ends the flow that would expire soonest to make room.
func (t *Table) evict() {
	best, bestAt := int32(nilIdx), int64(0)
	for class := classIdle; class < numClasses; class++ {
		if h := t.lists[class].head; h != nilIdx {
			if d := t.deadline(t.at(h)); best == nilIdx || d < bestAt {
				best, bestAt = h, d
			}
		}
	}
	if best == nilIdx {
		best = t.age.head
	}
	if best == nilIdx {
		return
	}
	if f := t.at(best); f.ep[0].Pkts+f.ep[1].Pkts > 0 {
		t.stats.Evicted++ // an empty active-timeout segment ends without a record
	}
	t.finish(best, EndEvicted)
}

// Flush ends every live flow in the order the flows started: the end of
// the input.
func (t *Table) Flush() {
	for t.age.head != nilIdx {
		f := t.at(t.age.head)
		reason := EndOfInput
		if f.closedAt != 0 {
			reason = t.reasonFor(f)
		}
		t.finish(t.age.head, reason)
	}
}

func (t *Table) links(i int32, age bool) (prev, next *int32) {
	f := t.at(i)
	if age {
		return &f.agePrev, &f.ageNext
	}
	return &f.prev, &f.next
}

func (t *Table) push(l *list, i int32, age bool) {
	prev, next := t.links(i, age)
	*prev, *next = l.tail, nilIdx
	if l.tail != nilIdx {
		_, tn := t.links(l.tail, age)
		*tn = i
	} else {
		l.head = i
	}
	l.tail = i
}

func (t *Table) unlink(l *list, i int32, age bool) {
	prev, next := t.links(i, age)
	if *prev != nilIdx {
		_, pn := t.links(*prev, age)
		*pn = *next
	} else if l.head == i {
		l.head = *next
	}
	if *next != nilIdx {
		np, _ := t.links(*next, age)
		*np = *prev
	} else if l.tail == i {
		l.tail = *prev
	}
	*prev, *next = nilIdx, nilIdx
}
