DROP TABLE uploaded_images;
DROP TABLE dashboard_tiles;
DROP TABLE dashboards;
