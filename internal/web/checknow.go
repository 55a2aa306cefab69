package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/report"
)

// maxCheckNow is how many checks on demand run at once; more are refused
// with 429, so that the API cannot be used to flood a target.
const maxCheckNow = 4

// CheckRun is a check run on demand, with the diagnosis of its failure
// when one was asked for.
type CheckRun struct {
	Check Check
	// Diagnosis is the full diagnosis of a failed check, nil when none was
	// asked for, the check passed, or the diagnosis failed.
	Diagnosis *report.Diagnosis
	// DiagnosisError says why a diagnosis asked for is missing.
	DiagnosisError string
}

// CheckRunDoc is the answer of POST /api/v1/targets/{id}/check.
type CheckRunDoc struct {
	Target         string           `json:"target"`
	Check          CheckDoc         `json:"check"`
	Diagnosis      *report.Document `json:"diagnosis"`
	DiagnosisError string           `json:"diagnosis_error,omitempty"`
}

// apiCheckNow runs a check of a target at once and answers with it;
// ?diagnose=true also runs the full diagnosis when the check fails. The
// check is recorded as any other.
func (s *Server) apiCheckNow(w http.ResponseWriter, r *http.Request) {
	if s.o.CheckNow == nil {
		s.apiError(w, http.StatusNotImplemented, "checks on demand are not available")
		return
	}
	diagnose := false
	if v := r.URL.Query().Get("diagnose"); v != "" {
		var err error
		if diagnose, err = strconv.ParseBool(v); err != nil {
			s.apiError(w, http.StatusBadRequest, "diagnose: want true or false")
			return
		}
	}
	sctx, cancel := s.storeCtx(r)
	t, err := s.target(sctx, r.PathValue("id"))
	cancel()
	if err != nil {
		s.storeFailed(w, r, true, err)
		return
	}
	select {
	case s.checking <- struct{}{}:
		defer func() { <-s.checking }()
	default:
		s.apiError(w, http.StatusTooManyRequests, strconv.Itoa(maxCheckNow)+" checks on demand are running already; try again when they end")
		return
	}
	// The answer must be written before the server's WriteTimeout.
	ctx, cancel := context.WithTimeout(r.Context(), max(s.o.WriteTimeout-time.Second, time.Second))
	defer cancel()
	run, err := s.o.CheckNow(ctx, t.ID, diagnose)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			s.apiError(w, http.StatusNotFound, err.Error())
			return
		}
		s.o.Logger.Error("checking on demand", "target", t.ID, "err", err)
		s.apiError(w, http.StatusInternalServerError, "the check could not run")
		return
	}
	out := CheckRunDoc{Target: t.ID, Check: checkDoc(run.Check), DiagnosisError: run.DiagnosisError}
	if run.Diagnosis != nil {
		doc := report.NewDocument(*run.Diagnosis)
		out.Diagnosis = &doc
	}
	s.writeJSON(w, http.StatusOK, out)
}
