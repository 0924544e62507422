// Package azcode maps the Azure SDK's errors to Go CDK error codes, for
// polyfn's own Go CDK drivers on Azure services.
package azcode

import (
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"gocloud.dev/gcerrors"
)

// Of returns the Go CDK error code of err: from the HTTP status of an
// *azcore.ResponseError, else Unknown.
func Of(err error) gcerrors.ErrorCode {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return gcerrors.Unknown
	}
	switch re.StatusCode {
	case http.StatusNotFound:
		return gcerrors.NotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		return gcerrors.PermissionDenied
	case http.StatusRequestEntityTooLarge, http.StatusBadRequest:
		return gcerrors.InvalidArgument
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return gcerrors.ResourceExhausted
	}
	return gcerrors.Unknown
}
