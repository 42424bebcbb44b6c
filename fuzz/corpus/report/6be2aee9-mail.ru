<?xml version="1.0" encoding="UTF-8"?>
<dmarc:feedback xmlns:dmarc="http://dmarc.org/dmarc-xml/0.1">
<dmarc:report_metadata>
<dmarc:org_name>Mail.Ru</dmarc:org_name>
<dmarc:email>dmarc_support@corp.mail.ru</dmarc:email>
<dmarc:report_id>18227450123456789012</dmarc:report_id>
<dmarc:date_range><dmarc:begin>1700006400</dmarc:begin><dmarc:end>1700092800</dmarc:end></dmarc:date_range>
</dmarc:report_metadata>
<dmarc:policy_published><dmarc:domain>example.org</dmarc:domain><dmarc:adkim>r</dmarc:adkim><dmarc:aspf>r</dmarc:aspf><dmarc:p>reject</dmarc:p><dmarc:sp>reject</dmarc:sp><dmarc:pct>100</dmarc:pct></dmarc:policy_published>
<dmarc:record>
<dmarc:row><dmarc:source_ip>198.51.100.10</dmarc:source_ip><dmarc:count>9</dmarc:count>
<dmarc:policy_evaluated><dmarc:disposition>none</dmarc:disposition><dmarc:dkim>pass</dmarc:dkim><dmarc:spf>pass</dmarc:spf></dmarc:policy_evaluated></dmarc:row>
<dmarc:identifiers><dmarc:header_from>example.org</dmarc:header_from></dmarc:identifiers>
<dmarc:auth_results><dmarc:dkim><dmarc:domain>example.org</dmarc:domain><dmarc:result>pass</dmarc:result></dmarc:dkim><dmarc:spf><dmarc:domain>example.org</dmarc:domain><dmarc:result>pass</dmarc:result></dmarc:spf></dmarc:auth_results>
</dmarc:record>
<dmarc:record>
<dmarc:row><dmarc:source_ip>203.0.113.5</dmarc:source_ip><dmarc:count>4</dmarc:count>
<dmarc:policy_evaluated><dmarc:disposition>reject</dmarc:disposition><dmarc:dkim>fail</dmarc:dkim><dmarc:spf>fail</dmarc:spf></dmarc:policy_evaluated></dmarc:row>
<dmarc:identifiers><dmarc:header_from>example.org</dmarc:header_from></dmarc:identifiers>
<dmarc:auth_results><dmarc:spf><dmarc:domain>example.org</dmarc:domain><dmarc:result>fail</dmarc:result></dmarc:spf></dmarc:auth_results>
</dmarc:record>
</dmarc:feedback>
