-- Fictional agencies for local development (make run). Safe to apply again.
-- No real organisations or people: codes and names are made up.
INSERT INTO agencies (code, name, kind) VALUES
  ('DEV-CSC', 'Exampleshire Children''s Services (fictional)', 'childrens_social_care'),
  ('DEV-POL', 'Exampleshire Constabulary (fictional)', 'police'),
  ('DEV-HLT', 'Exampleshire Community Health Trust (fictional)', 'health'),
  ('DEV-EDU', 'Example Primary School (fictional)', 'education'),
  ('DEV-EY',  'Little Examples Nursery (fictional)', 'early_years'),
  ('DEV-PRB', 'Exampleshire Probation Service (fictional)', 'probation'),
  ('DEV-YJS', 'Exampleshire Youth Justice Service (fictional)', 'youth_justice'),
  ('DEV-HSG', 'Example Housing Association (fictional)', 'housing'),
  ('DEV-VOL', 'Example Family Support Charity (fictional)', 'voluntary')
ON CONFLICT (code) DO NOTHING;
