package server

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/hailurah/hailurah"
)

func TestUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("find ticket: %w", refused), true},
		{fmt.Errorf("query: %w", syscall.ECONNRESET), true},
		{errors.New("column does not exist"), false},
		{hailurah.Errorf(hailurah.EINVALID, "salah"), false},
	} {
		if got := unreachable(tc.err); got != tc.want {
			t.Errorf("unreachable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
