package providerserve

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type requestKey struct{}

// requestState takes the place of the logger state that a request context
// carries.
type requestState struct {
	name string
}

// retainingServer keeps a cancel function of every ReadResource context,
// as terraform-plugin-framework does until StopProvider.
type retainingServer struct {
	tfprotov6.ProviderServer

	cancels  []context.CancelFunc
	sawValue bool
	child    context.Context
}

func (s *retainingServer) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	child, cancel := context.WithCancel(ctx)
	s.cancels = append(s.cancels, cancel)
	s.child = child
	_, s.sawValue = child.Value(requestKey{}).(*requestState)
	return &tfprotov6.ReadResourceResponse{}, nil
}

// readWithState calls ReadResource with a context carrying a requestState
// and returns a weak pointer to that state.
func readWithState(t *testing.T, server tfprotov6.ProviderServer) weak.Pointer[requestState] {
	t.Helper()
	state := &requestState{name: "ReadResource"}
	ptr := weak.Make(state)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), requestKey{}, state))
	defer cancel()
	if _, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{}); err != nil {
		t.Fatalf("ReadResource: %v", err)
	}
	return ptr
}

func TestWrapReleasesRequestContext(t *testing.T) {
	inner := &retainingServer{}
	ptr := readWithState(t, Wrap(inner))

	if !inner.sawValue {
		t.Error("the request's values were not visible during the call")
	}
	runtime.GC()
	if ptr.Value() != nil {
		t.Error("the request's context is still reachable after the call returned")
	}
	if err := inner.child.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("kept context Err = %v after the call, want context.Canceled", err)
	}
}

func TestUnwrappedServerRetainsRequestContext(t *testing.T) {
	// The control case: without Wrap the kept cancel function holds the
	// request's state, which is what Wrap exists to prevent.
	inner := &retainingServer{}
	ptr := readWithState(t, inner)
	runtime.GC()
	if ptr.Value() == nil {
		t.Skip("this Go version no longer keeps a canceled context's parent reachable")
	}
	runtime.KeepAlive(inner)
}

// blockingServer waits in ReadResource until its context is done.
type blockingServer struct {
	tfprotov6.ProviderServer
	started chan struct{}
	err     chan error
}

func (s *blockingServer) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	close(s.started)
	select {
	case <-child.Done():
		s.err <- child.Err()
	case <-time.After(10 * time.Second):
		s.err <- errors.New("the request's cancellation did not reach the call")
	}
	return &tfprotov6.ReadResourceResponse{}, nil
}

func TestWrapForwardsCancellation(t *testing.T) {
	inner := &blockingServer{started: make(chan struct{}), err: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_, _ = Wrap(inner).ReadResource(ctx, &tfprotov6.ReadResourceRequest{})
		close(done)
	}()
	<-inner.started
	cancel()
	<-done
	if err := <-inner.err; !errors.Is(err, context.Canceled) {
		t.Errorf("call context Err = %v, want context.Canceled", err)
	}
}

func TestDetachedContextDeadline(t *testing.T) {
	want := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.Background(), want)
	defer cancel()
	c := detach(parent)
	got, ok := c.Deadline()
	if !ok || !got.Equal(want) {
		t.Errorf("Deadline = %v, %t, want %v, true", got, ok, want)
	}
	if c.Err() != nil {
		t.Errorf("Err before release = %v, want nil", c.Err())
	}
	c.release()
	if c.Value(requestKey{}) != nil || !errors.Is(c.Err(), context.Canceled) {
		t.Errorf("after release Value = %v, Err = %v, want nil and context.Canceled", c.Value(requestKey{}), c.Err())
	}
}

func TestSilenceUnreadSDKLogs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    map[string]string
	}{
		{"no log variables", []string{"HOME=/root", "SALESFORCE_LOGIN_URL=https://x"},
			map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"}},
		{"TF_LOG set", []string{"TF_LOG=DEBUG"}, map[string]string{}},
		{"TF_LOG_PROVIDER set", []string{"TF_LOG_PROVIDER=TRACE"}, map[string]string{}},
		{"SDK level set", []string{"TF_LOG_SDK_FRAMEWORK=DEBUG"}, map[string]string{}},
		{"acceptance test logs", []string{"TF_LOG_PATH_MASK=/tmp/%s.log"}, map[string]string{}},
		{"other TF variable", []string{"TF_ACC=1", "TF_CLI_CONFIG_FILE=/dev/null"},
			map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			silenceUnreadSDKLogs(tc.environ, func(k, v string) error {
				got[k] = v
				return nil
			})
			if len(got) != len(tc.want) {
				t.Errorf("set %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
