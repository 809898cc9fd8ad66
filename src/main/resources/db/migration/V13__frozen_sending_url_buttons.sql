-- The template's dynamic URL buttons (V12) are frozen at submit like the rest of it (V11).
ALTER TABLE bulk_whatsapp_message ADD COLUMN sending_url_buttons VARCHAR;
UPDATE bulk_whatsapp_message SET
    sending_url_buttons = (SELECT t.url_buttons FROM whatsapp_template t WHERE t.id = bulk_whatsapp_message.sending_template_id)
WHERE sending_template_id IS NOT NULL;
