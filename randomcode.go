package hailurah

import "crypto/rand"

// trackingAlphabet leaves out letters people confuse when reading a code
// aloud or from a small screen (0/O, 1/I/L).
const trackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// RandomCode draws n characters uniformly from trackingAlphabet; bytes
// that would bias the draw are thrown away.
func RandomCode(n int) string {
	const limit = 256 - 256%len(trackingAlphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, trackingAlphabet[int(b)%len(trackingAlphabet)])
			}
		}
	}
	return string(out)
}
