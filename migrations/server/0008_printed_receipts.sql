-- A sale line keeps its own discount apart from its share of the order discount, so the back
-- office can show a receipt exactly as the till printed it (`pos_shared::receipt`). Lines
-- recorded before have it null: their whole discount is shown on the line.
ALTER TABLE sale_lines ADD COLUMN line_discount bigint;
