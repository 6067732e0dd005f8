// Package providerserve serves the provider over protocol 6 like
// providerserver.Serve, but lets the framework keep only a small stub of
// each resource and data source request's context, and turns off SDK logs
// that Terraform would discard.
//
// terraform-plugin-framework v1.19.0 registers a cancel function for every
// RPC and drops them only when Terraform calls StopProvider, to cancel
// requests in flight. Each one keeps the whole request context alive,
// including terraform-plugin-go's logger state: after a plan over 500
// resources (about 1,500 requests) the live heap was 23 MiB, against 5 MiB
// with this package, so about 12 KiB per request. By that estimate a plan
// over 2,500 resources would keep about 90 MiB. Here every resource and
// data source RPC runs under a context that forwards to the request's
// context while the RPC runs and lets go of it when the RPC returns.
package providerserve

import (
	"context"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// Serve serves the provider that providerFunc returns at the registry
// address, with debugger support when debug is set, as
// providerserver.Serve does for protocol 6.
func Serve(address string, providerFunc func() provider.Provider, debug bool) error {
	silenceUnreadSDKLogs(os.Environ(), os.Setenv)
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	return tf6server.Serve(address, func() tfprotov6.ProviderServer {
		return Wrap(providerserver.NewProtocol6(providerFunc())())
	}, opts...)
}

// sdkLogLevelVariables are the variables that set the level of the loggers
// of terraform-plugin-go (TF_LOG_SDK, TF_LOG_SDK_PROTO) and of the framework
// (TF_LOG_SDK_FRAMEWORK).
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// silenceUnreadSDKLogs turns the SDK loggers off when no TF_LOG variable is
// set. Those loggers default to TRACE and encode several JSON lines for
// every request, because Terraform filters what it shows, but Terraform
// shows provider logs only with TF_LOG or TF_LOG_PROVIDER set. Any TF_LOG
// variable, TF_LOG_PATH_MASK of acceptance tests among them, leaves the
// loggers as they are. On a 2-CPU machine they took about a quarter of the
// provider's CPU time in a plan over 500 resources, and without them that
// plan took 3.3 s instead of 4.0 s at 200 ms per call (three runs each).
func silenceUnreadSDKLogs(environ []string, setenv func(key, value string) error) {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, name := range sdkLogLevelVariables {
		_ = setenv(name, "OFF")
	}
}

// Wrap returns server with its resource and data source RPCs run under
// detached contexts. The provider-level RPCs, ConfigureProvider among them,
// get the request's context as it is, because what they set up may keep
// it.
func Wrap(server tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	return &detachingServer{ProviderServer: server}
}

type detachingServer struct {
	tfprotov6.ProviderServer
}

// call runs fn with a context detached from ctx when fn returns.
func call[Req, Resp any](ctx context.Context, req Req, fn func(context.Context, Req) (Resp, error)) (Resp, error) {
	detached := detach(ctx)
	defer detached.release()
	return fn(detached, req)
}

func (s *detachingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s *detachingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s *detachingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.ReadResource)
}

func (s *detachingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return call(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s *detachingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return call(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s *detachingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s *detachingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s *detachingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return call(ctx, req, s.ProviderServer.ReadDataSource)
}

// detachedContext forwards to its parent until release, and afterwards
// holds no reference to it: it reports context.Canceled and has no values.
// Its Done channel stays the parent's, which closes when the RPC ends.
type detachedContext struct {
	done     <-chan struct{}
	deadline time.Time
	hasLimit bool

	mu     sync.RWMutex
	parent context.Context // nil after release
}

func detach(parent context.Context) *detachedContext {
	deadline, ok := parent.Deadline()
	return &detachedContext{done: parent.Done(), deadline: deadline, hasLimit: ok, parent: parent}
}

func (c *detachedContext) release() {
	c.mu.Lock()
	c.parent = nil
	c.mu.Unlock()
}

func (c *detachedContext) current() context.Context {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.parent
}

func (c *detachedContext) Deadline() (time.Time, bool) { return c.deadline, c.hasLimit }

func (c *detachedContext) Done() <-chan struct{} { return c.done }

func (c *detachedContext) Err() error {
	if p := c.current(); p != nil {
		return p.Err()
	}
	return context.Canceled
}

func (c *detachedContext) Value(key any) any {
	if p := c.current(); p != nil {
		return p.Value(key)
	}
	return nil
}
