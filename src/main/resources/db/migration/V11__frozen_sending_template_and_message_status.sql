-- A template sync may change a template's header kind, parameter format or placeholders while a
-- campaign that uses it waits to be split or sent; the split and the send build every message
-- from these copies, taken at submit, so the payload is the one the campaign was checked against.
ALTER TABLE bulk_whatsapp_message ADD COLUMN sending_header_kind VARCHAR(20);
ALTER TABLE bulk_whatsapp_message ADD COLUMN sending_parameter_format VARCHAR(20);
ALTER TABLE bulk_whatsapp_message ADD COLUMN sending_header_params VARCHAR;
ALTER TABLE bulk_whatsapp_message ADD COLUMN sending_body_params VARCHAR;
-- Campaigns submitted before this kept only the template's id: its values now are the best copy left.
UPDATE bulk_whatsapp_message SET
    sending_header_kind = (SELECT t.header_kind FROM whatsapp_template t WHERE t.id = bulk_whatsapp_message.sending_template_id),
    sending_parameter_format = (SELECT t.parameter_format FROM whatsapp_template t WHERE t.id = bulk_whatsapp_message.sending_template_id),
    sending_header_params = (SELECT t.header_params FROM whatsapp_template t WHERE t.id = bulk_whatsapp_message.sending_template_id),
    sending_body_params = (SELECT t.body_params FROM whatsapp_template t WHERE t.id = bulk_whatsapp_message.sending_template_id)
WHERE sending_template_id IS NOT NULL;

-- What Meta said of an accepted message (accepted, held_for_quality_assessment, paused).
ALTER TABLE whatsapp_message ADD COLUMN message_status VARCHAR(40);
