package herald.recipients;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.api.ApiException;
import herald.api.Fields;
import herald.api.Paging;
import herald.api.Views;
import org.apache.camel.Header;

/** Maps WhatsApp Recipient List requests to rows and rows to answers. */
public class ListRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Map<String, Object> forInsert(Map<String, Object> body) {
        Fields f = new Fields(body);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", f.text("name", true, 140));
        row.put("description", f.text("description", false, 2000));
        Object rows = f.raw("rows");
        if (rows != null && !(rows instanceof List)) {
            throw ApiException.badRequest("rows", "must be a JSON array of {mobileNumber, recipientName, recipientData}");
        }
        row.put("rows", rows);
        return row;
    }

    public Map<String, Object> view(Map<String, Object> row, Map<String, Object> imported) {
        if (row == null) {
            throw ApiException.notFound("WhatsApp Recipient List");
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("name", row.get("name"));
        view.put("description", row.get("description"));
        view.put("rowCount", row.get("row_count"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("updatedAt", Views.instant(row.get("updated_at")));
        if (imported != null) {
            view.put("import", imported);
        }
        return view;
    }

    public Map<String, Object> rowsPage(List<Map<String, Object>> rows, @Header("page") int page,
                                        @Header("pageSize") int size) throws JsonProcessingException {
        List<Map<String, Object>> items = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", row.get("id"));
            item.put("mobileNumber", row.get("mobile_number"));
            item.put("recipientName", row.get("recipient_name"));
            Object data = row.get("recipient_data");
            item.put("recipientData", data == null ? null : JSON.readValue(data.toString(), LinkedHashMap.class));
            items.add(item);
        }
        return Paging.answer(page, size, items);
    }
}
