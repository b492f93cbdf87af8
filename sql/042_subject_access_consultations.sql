-- 042 SAR-2: the dpo consults a contributing agency about its items of a
-- gathered subject access request, with a question and a deadline (a
-- number of working days, 1 to 20, on the service's working-day calendar,
-- counted from the day it was asked at the request's clock: computed by the
-- service, domain/subject_access.c). The consulted agency's managers
-- (manager or senior_manager) see their consultation and answer it once,
-- with a recommendation (disclose, redact, withhold) and their reasons; an
-- answer after the deadline is late. Who may see a consultation:
-- subject_access_consultation_visible (sql/functions/10_access.sql).
CREATE TABLE subject_access_consultations (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id         uuid NOT NULL REFERENCES subject_access_requests (id),
  agency             text NOT NULL,
  question           text NOT NULL,
  working_days       integer NOT NULL CHECK (working_days BETWEEN 1 AND 20),
  asked_on           date NOT NULL,
  due_on             date NOT NULL CHECK (due_on > asked_on),
  asked_by_sub       text NOT NULL,
  asked_by_name      text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  recommendation     text CHECK (recommendation IN ('disclose', 'redact', 'withhold')),
  answer             text,
  answered_on        date,
  answered_by_sub    text,
  answered_by_name   text,
  answered_at        timestamptz,
  version            integer NOT NULL DEFAULT 1,
  CHECK ((recommendation IS NULL) = (answered_at IS NULL)),
  CHECK ((answer IS NULL) = (answered_at IS NULL)),
  CHECK ((answered_on IS NULL) = (answered_at IS NULL))
);
CREATE INDEX subject_access_consultations_by_request
  ON subject_access_consultations (request_id, created_at, id);
CREATE INDEX subject_access_consultations_by_agency
  ON subject_access_consultations (agency, created_at, id);

-- The items a consultation concerns: each an item of its request.
CREATE TABLE subject_access_consultation_items (
  consultation_id  uuid NOT NULL REFERENCES subject_access_consultations (id),
  request_id       uuid NOT NULL,
  item_no          integer NOT NULL,
  PRIMARY KEY (consultation_id, item_no),
  FOREIGN KEY (request_id, item_no) REFERENCES subject_access_items (request_id, item_no)
);
