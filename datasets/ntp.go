package datasets

import "encoding/binary"

// ntpEpoch is the Unix time of the NTP era-0 origin (1900-01-01).
const ntpEpoch = 2208988800

func ntpTime(b []byte, t int64) {
	s := uint64(t/1e9) + ntpEpoch
	frac := (uint64(t%1e9) << 32) / 1e9
	binary.BigEndian.PutUint32(b, uint32(s))
	binary.BigEndian.PutUint32(b[4:], uint32(frac))
}

// ntpPacket builds an NTPv4 client (mode 3) request sent at t, or a server
// (mode 4) reply at t answering a request sent at origin.
func ntpPacket(mode int, t, origin int64, refid uint32) []byte {
	b := make([]byte, 48)
	b[0] = 4<<3 | byte(mode)
	if mode == 3 {
		ntpTime(b[40:], t)
		return b
	}
	b[1] = 2    // stratum
	b[2] = 3    // poll
	b[3] = 0xe9 // precision 2^-23
	binary.BigEndian.PutUint32(b[4:], 0x00000a3c)
	binary.BigEndian.PutUint32(b[8:], 0x00001c5e)
	binary.BigEndian.PutUint32(b[12:], refid)
	ntpTime(b[16:], t-37*1e9)
	ntpTime(b[24:], origin)
	ntpTime(b[32:], t)
	ntpTime(b[40:], t+18*1e3)
	return b
}
