//go:build unix

package anchor

import "syscall"

// MaxRSS returns the process's peak resident set size in bytes, the figure
// the Python anchor reports (getrusage ru_maxrss, KiB on Linux).
func MaxRSS() uint64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return uint64(ru.Maxrss) * 1024
}

// CPUSeconds returns the user plus system CPU time the process has used so
// far. Differences of it measure work done independently of how busy the
// machine's other tenants keep the cores.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
